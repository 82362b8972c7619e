// Streaming line reader for JSONL inputs: a file path, `-` for stdin, and zstd-compressed data
// (recognised by its magic bytes, so `.zst` files and compressed pipes both work). Memory stays
// bounded: a line longer than the limit is reported as an error for that line and skipped
// without being buffered whole, after which reading can continue.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

inline constexpr size_t kDefaultMaxLineBytes = size_t{64} << 20;  // 64 MiB

class LineReader {
 public:
  // `path` "-" reads stdin. Errors name the path.
  static Result<std::unique_ptr<LineReader>> open(const std::string& path,
                                                  size_t max_line_bytes = kDefaultMaxLineBytes);
  ~LineReader();

  // Next line without its '\n' (valid until the next call); false at the end of input.
  // A line over the limit returns an error (line_number() is that line's) and is skipped;
  // I/O and decompression errors are errors too, after which the reader is at its end.
  Result<bool> next(std::string_view& line);

  // 1-based number of the line last returned (or reported as too long).
  int64_t line_number() const { return line_number_; }
  // True after an I/O or decompression error (as opposed to an over-long line).
  bool failed() const { return failed_; }
  // The path as given ("-" for stdin).
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, int fd, size_t max_line);
  Result<size_t> fill(char* dst, size_t capacity);  // raw or decompressed bytes; 0 at end
  Result<size_t> read_raw(char* dst, size_t capacity);

  std::string path_;
  int fd_;
  size_t max_line_;
  std::string buf_;
  size_t begin_ = 0, scan_ = 0, end_ = 0;
  bool eof_ = false, skipping_ = false, failed_ = false;
  int64_t line_number_ = 0;
  struct Zstd;
  std::unique_ptr<Zstd> zstd_;  // set once the input is seen to be zstd
  bool sniffed_ = false;
};

}  // namespace pt
