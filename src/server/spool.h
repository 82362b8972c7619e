// The on-disk spool behind the capture queue: every captured row is appended (one JSON line, one
// write(2)) to the current segment file before its request is acknowledged, so a row survives a
// kill -9 of the server. Segments are rotated when the writer takes a batch and deleted once
// that batch is committed; segments left by a crash are read back at start and replayed.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/row.h"
#include "util/result.h"

namespace pt::server {

struct SpooledRow {
  Table table = Table::traces;
  Row row;
};

std::string spool_line(const SpooledRow& r);  // one JSON object + "\n"
// Parses one line; a torn last line (a write cut by a crash) is an error the caller skips.
Result<SpooledRow> parse_spool_line(std::string_view line);

// Reads a segment's rows in order, handing them to `chunk` in groups of at most `max_rows` rows
// and about `max_bytes` bytes of lines (so a large segment is never held whole); a torn line is
// skipped. Stops early, returning false, when `chunk` returns false.
Result<bool> read_spool_segment(const std::string& path, size_t max_rows, int64_t max_bytes,
                                const std::function<bool(std::vector<SpooledRow>&)>& chunk);

class Spool {
 public:
  // Creates `dir` if missing; does not open a segment yet.
  static Result<Spool> open(std::string dir);
  Spool() = default;
  Spool(Spool&& o) noexcept;
  Spool& operator=(Spool&& o) noexcept;
  ~Spool();

  // Segment files present on disk (left by an earlier run), oldest first.
  Result<std::vector<std::string>> leftovers() const;
  // Appends to the current segment (opening one if needed). Durable against a process crash on return.
  Result<void> append(const std::string& line);
  // Closes the current segment and returns its path ("" when none was open); the next append opens a new one.
  std::string rotate();
  // Bytes in the current segment.
  int64_t current_bytes() const { return bytes_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int fd_ = -1;
  std::string path_;
  int64_t next_seq_ = 1;
  int64_t bytes_ = 0;
};

}  // namespace pt::server
