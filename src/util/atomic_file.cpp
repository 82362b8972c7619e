// Implementation of util/atomic_file.h (exclusive temp file + fsync + rename).
#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

namespace pt {

// The temp file is created with O_CREAT | O_EXCL | O_NOFOLLOW, so it never writes through a file
// or symlink already at the temp name (a stale temp, or one planted to redirect the write): on a
// clash the next candidate name gets a random suffix. rename() then replaces the destination entry
// itself, so a symlink planted at the destination is replaced, never followed.
Result<AtomicFile> AtomicFile::create(const std::string& path) {
  if (path.empty()) return usage_error("output path is empty");
  const std::string base = fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string tmp = attempt == 0 ? base : fmt::format("{}.{:08x}", base, rd());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    std::FILE* f = ::fdopen(fd, "wb");
    if (!f) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return runtime_error(fmt::format("{}: cannot write: {}", path, std::strerror(err)));
    }
    return AtomicFile(path, std::move(tmp), f);
  }
  return runtime_error(fmt::format("{}: cannot create a temporary file beside it (names taken)", path));
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)),
      tmp_(std::move(o.tmp_)),
      file_(o.file_),
      committed_(o.committed_),
      written_(o.written_),
      flushed_(o.flushed_) {
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
  written_ += data.size();
  if (written_ - flushed_ >= kWriteBehind) write_behind();
  return ok();
}

// Starts the disk writes of the last chunk now and waits for those of the chunk before it (long
// done, as a chunk takes far longer to produce than to write): the final fsync then has little
// left to do, and dirty pages stay bounded. Only a speed-up: fsync in commit() stays the
// guarantee, so a failure here (a file system without sync_file_range) is ignored.
void AtomicFile::write_behind() {
  if (std::fflush(file_) != 0) return;
  const int fd = ::fileno(file_);
  if (flushed_ > 0) (void)::sync_file_range(fd, 0, static_cast<off64_t>(flushed_), SYNC_FILE_RANGE_WAIT_BEFORE);
  (void)::sync_file_range(fd, static_cast<off64_t>(flushed_), static_cast<off64_t>(written_ - flushed_),
                          SYNC_FILE_RANGE_WRITE);
  flushed_ = written_;
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
