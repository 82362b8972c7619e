// Implementation of util/line_reader.h: POSIX read() into one reusable buffer, memchr for
// line ends, and libzstd's streaming decoder when the input starts with the zstd magic bytes.
#include "util/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace pt {
namespace {
constexpr size_t kChunk = size_t{1} << 20;
constexpr unsigned char kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
}  // namespace

struct LineReader::Zstd {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  std::vector<char> in;
  size_t in_pos = 0, in_size = 0;
  bool in_eof = false;
  size_t last_ret = 0;  // 0 when the last frame was complete
  ~Zstd() { ZSTD_freeDCtx(ctx); }
};

Result<std::unique_ptr<LineReader>> LineReader::open(const std::string& path, size_t max_line_bytes) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  return std::unique_ptr<LineReader>(new LineReader(path, fd, max_line_bytes));
}

LineReader::LineReader(std::string path, int fd, size_t max_line)
    : path_(std::move(path)), fd_(fd), max_line_(max_line) {}

LineReader::~LineReader() {
  if (fd_ > 0) ::close(fd_);
}

Result<size_t> LineReader::read_raw(char* dst, size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, dst, capacity);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return runtime_error(fmt::format("{}: cannot read: {}", path_, std::strerror(errno)));
  }
}

Result<size_t> LineReader::fill(char* dst, size_t capacity) {
  if (!sniffed_) {
    sniffed_ = true;
    char head[4];
    size_t got = 0;
    while (got < sizeof head) {
      PT_ASSIGN_OR_RETURN(size_t n, read_raw(head + got, sizeof head - got));
      if (n == 0) break;
      got += n;
    }
    if (got == sizeof head && std::memcmp(head, kZstdMagic, sizeof head) == 0) {
      zstd_ = std::make_unique<Zstd>();
      zstd_->in.resize(ZSTD_DStreamInSize());
      std::memcpy(zstd_->in.data(), head, got);
      zstd_->in_size = got;
    } else {
      std::memcpy(dst, head, got);
      return got;
    }
  }
  if (!zstd_) return read_raw(dst, capacity);
  Zstd& z = *zstd_;
  for (;;) {
    if (z.in_pos == z.in_size && !z.in_eof) {
      PT_ASSIGN_OR_RETURN(size_t n, read_raw(z.in.data(), z.in.size()));
      z.in_pos = 0;
      z.in_size = n;
      z.in_eof = n == 0;
    }
    ZSTD_inBuffer in{z.in.data(), z.in_size, z.in_pos};
    ZSTD_outBuffer out{dst, capacity, 0};
    size_t ret = ZSTD_decompressStream(z.ctx, &out, &in);
    if (ZSTD_isError(ret))
      return runtime_error(fmt::format("{}: corrupt zstd data: {}", path_, ZSTD_getErrorName(ret)));
    bool progress = out.pos > 0 || in.pos != z.in_pos;
    z.in_pos = in.pos;
    if (progress) z.last_ret = ret;  // a call without input says nothing about frame ends
    if (out.pos > 0) return out.pos;
    if (!progress && z.in_eof) {
      if (z.last_ret != 0) return runtime_error(fmt::format("{}: truncated zstd data", path_));
      return size_t{0};
    }
  }
}

Result<bool> LineReader::next(std::string_view& line) {
  for (;;) {
    if (const void* nl = std::memchr(buf_.data() + scan_, '\n', end_ - scan_)) {
      size_t at = static_cast<const char*>(nl) - buf_.data();
      line = std::string_view(buf_.data() + begin_, at - begin_);
      begin_ = scan_ = at + 1;
      ++line_number_;
      if (!skipping_) return true;
      skipping_ = false;
      return runtime_error(fmt::format("line is longer than the {} MiB limit", max_line_ >> 20));
    }
    scan_ = end_;
    if (!skipping_ && end_ - begin_ > max_line_) skipping_ = true;
    if (skipping_) begin_ = scan_ = end_ = 0;  // drop what we have of the over-long line
    if (eof_) {
      if (skipping_) {
        skipping_ = false;
        ++line_number_;
        return runtime_error(fmt::format("line is longer than the {} MiB limit", max_line_ >> 20));
      }
      if (begin_ == end_) return false;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);
      begin_ = scan_ = end_;
      ++line_number_;
      return true;
    }
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < kChunk) buf_.resize(end_ + kChunk);
    auto got = fill(buf_.data() + end_, buf_.size() - end_);
    if (!got.ok()) {
      eof_ = failed_ = true;
      begin_ = scan_ = end_ = 0;
      return got.error();
    }
    if (*got == 0) eof_ = true;
    end_ += *got;
  }
}

}  // namespace pt
