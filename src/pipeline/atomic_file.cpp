// Implementation of pipeline/atomic_file.h (stdio + fsync + rename).
#include "pipeline/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

namespace pt {

Result<AtomicFile> AtomicFile::create(const std::string& path) {
  if (path.empty()) return usage_error("output path is empty");
  std::string tmp = fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  return AtomicFile(path, std::move(tmp), f);
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), file_(o.file_), committed_(o.committed_) {
  o.file_ = nullptr;
  o.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_ && !tmp_.empty()) std::remove(tmp_.c_str());
}

Result<void> AtomicFile::write(std::string_view data) {
  if (!file_) return runtime_error(fmt::format("{}: file already closed", path_));
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), file_) != data.size())
    return runtime_error(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  return ok();
}

Result<void> AtomicFile::commit() {
  if (!file_) return runtime_error(fmt::format("{}: file already closed", path_));
  bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  int close_rc = std::fclose(file_);
  file_ = nullptr;
  if (!flushed || close_rc != 0) return runtime_error(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    return runtime_error(fmt::format("{}: cannot rename into place: {}", path_, std::strerror(errno)));
  committed_ = true;
  return ok();
}

Result<void> write_file_atomic(const std::string& path, std::string_view content) {
  PT_ASSIGN_OR_RETURN(auto file, AtomicFile::create(path));
  PT_TRY(file.write(content));
  return file.commit();
}

}  // namespace pt
