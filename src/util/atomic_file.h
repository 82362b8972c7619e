// Output files that appear whole or not at all: data goes to a temp file beside the target
// (PATH.tmp.PID), and commit() fsyncs and renames it into place (big files are written back to
// disk while they grow, so that fsync is short). Destroying an uncommitted
// AtomicFile removes the temp file, so a failed run leaves no half-written output.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  Result<void> write(std::string_view data);
  Result<void> commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, std::string tmp, std::FILE* f)
      : path_(std::move(path)), tmp_(std::move(tmp)), file_(f) {}
  void write_behind();
  static constexpr size_t kWriteBehind = size_t{32} << 20;  // bytes between write-behind kicks

  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  size_t written_ = 0, flushed_ = 0;
};

// Writes the whole content atomically.
Result<void> write_file_atomic(const std::string& path, std::string_view content);

}  // namespace pt
