// Writes and reads the compiled tokenizer cache (see gemma_cache.h). Layout, all little-endian:
//   header  magic "PTGEMMA\0", u32 format version, u32 0, 32-byte source hash (hex), the source's
//           SourceStat (5 x u64), u64 payload length, u64 XXH3-64 of the payload;
//   payload scalars (unk token, space symbol, flags), byte_token[256], trie_first_byte[256],
//           word_cut_after_ascii[128], then arrays each as u64 count + items padded to 8 bytes:
//           symbol_token, cp_symbol, merges (u64 size + table words), trie_edges (same),
//           trie_token, no_word_cut_after.
// The file is mapped read-only; the model borrows its two hash tables (16 MB of the ~23: copying
// them faulted in 4,000 fresh pages, most of a one-file `picktune tokens` run) and keeps the
// mapping; the smaller arrays are copied.
// Bump kFormatVersion whenever GemmaModel's tables or the loader's meaning of them change.
#include "tokenizer/gemma_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "util/hash.h"

namespace pt::tok {
namespace {

constexpr char kMagic[8] = {'P', 'T', 'G', 'E', 'M', 'M', 'A', '\0'};
constexpr uint32_t kFormatVersion = 2;  // 2: the source's SourceStat in the header
constexpr size_t kHashHex = 32;
constexpr size_t kStatSize = 5 * 8;
constexpr size_t kHeaderSize = 8 + 4 + 4 + kHashHex + kStatSize + 8 + 8;
static_assert(kHeaderSize % 8 == 0, "the payload's tables are borrowed in place: keep it 8-byte aligned");
// A source changed less than this before the cache was written may have changed again within the
// same tick of the file system's clock without its times moving: its stat is not trusted.
constexpr uint64_t kRacyNs = 1'000'000'000;

uint64_t ns_of(const struct timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(t.tv_nsec);
}

// A read-only mapping of a whole file, unmapped on destruction.
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return runtime_error(path + ": cannot open: " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return runtime_error(path + ": cannot stat: " + std::strerror(err));
    }
    MappedFile f;
    f.size_ = static_cast<size_t>(st.st_size);
    f.mtime_ns_ = ns_of(st.st_mtim);
    if (f.size_ > 0) {
      void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return runtime_error(path + ": cannot map: " + std::strerror(err));
      }
      f.data_ = static_cast<const unsigned char*>(p);
    }
    ::close(fd);
    return f;
  }
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_), mtime_ns_(o.mtime_ns_) { o.data_ = nullptr; }
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  uint64_t mtime_ns() const { return mtime_ns_; }

 private:
  MappedFile() = default;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
  uint64_t mtime_ns_ = 0;
};

void put_raw(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
void put_u64(std::string& out, uint64_t v) { put_raw(out, &v, sizeof v); }
void pad8(std::string& out) { out.append((8 - out.size() % 8) % 8, '\0'); }
template <typename T>
void put_array(std::string& out, const T* items, size_t n) {
  put_u64(out, n);
  put_raw(out, items, n * sizeof(T));
  pad8(out);
}
void put_map(std::string& out, const FlatMap64& map) {
  put_u64(out, map.size());
  put_array(out, map.words(), map.word_count());
}

// Reads the payload back, refusing anything that runs past its end.
class Reader {
 public:
  Reader(const unsigned char* p, size_t n) : p_(p), end_(p + n) {}
  bool raw(void* dst, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    std::memcpy(dst, p_, n);
    p_ += n;
    return true;
  }
  bool u64(uint64_t& v) { return raw(&v, sizeof v); }
  template <typename T>
  bool array(std::vector<T>& v) {
    uint64_t n;
    if (!u64(n) || n > static_cast<size_t>(end_ - p_) / sizeof(T)) return false;
    if (reinterpret_cast<uintptr_t>(p_) % alignof(T) == 0) {  // one pass, no zero-fill first
      v.assign(reinterpret_cast<const T*>(p_), reinterpret_cast<const T*>(p_) + n);
      p_ += n * sizeof(T);
      return skip_pad(n * sizeof(T));
    }
    v.resize(n);
    return raw(v.data(), n * sizeof(T)) && skip_pad(n * sizeof(T));
  }
  // Borrows the table from the mapping (which the model keeps), or copies it when misaligned.
  bool map(FlatMap64& m) {
    uint64_t size, words;
    if (!u64(size) || !u64(words) || words > static_cast<size_t>(end_ - p_) / 8) return false;
    const unsigned char* at = p_;
    p_ += words * 8;
    if (reinterpret_cast<uintptr_t>(at) % alignof(uint64_t) == 0)
      return FlatMap64::borrow_words(reinterpret_cast<const uint64_t*>(at), words, size, m);
    std::vector<uint64_t> aligned(words);
    std::memcpy(aligned.data(), at, words * 8);
    return FlatMap64::from_words(aligned.data(), words, size, m);
  }
  bool at_end() const { return p_ == end_; }

 private:
  bool skip_pad(size_t n) {
    size_t pad = (8 - n % 8) % 8;
    if (static_cast<size_t>(end_ - p_) < pad) return false;
    p_ += pad;
    return true;
  }
  const unsigned char* p_;
  const unsigned char* end_;
};

}  // namespace

SourceStat SourceStat::of(const struct stat& st) {
  return SourceStat{static_cast<uint64_t>(st.st_size), ns_of(st.st_mtim), ns_of(st.st_ctim),
                    static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_dev)};
}

bool SourceStat::racy_at(uint64_t written_ns) const { return std::max(mtime_ns, ctime_ns) + kRacyNs > written_ns; }

bool SourceStat::racy_now() const {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  return racy_at(ns_of(now));
}

Result<std::string> file_hash_hex(const std::string& path) {
  PT_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  Hash128 h = hash128(std::string_view(reinterpret_cast<const char*>(f.data()), f.size()));
  char hex[kHashHex + 1];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(hex);
}

std::string serialize_model(const GemmaModel& m, const std::string& source_hash_hex, const SourceStat& source) {
  std::string payload;
  int32_t scalars[2] = {m.unk_token, m.space_symbol};
  put_raw(payload, scalars, sizeof scalars);
  uint8_t flags[8] = {m.byte_fallback, m.fuse_unk, m.unk_possible};
  put_raw(payload, flags, sizeof flags);
  put_raw(payload, m.byte_token, sizeof m.byte_token);
  put_raw(payload, m.trie_first_byte, sizeof m.trie_first_byte);
  put_raw(payload, m.word_cut_after_ascii, sizeof m.word_cut_after_ascii);
  pad8(payload);
  put_array(payload, m.symbol_token.data(), m.symbol_token.size());
  put_array(payload, m.cp_symbol.data(), m.cp_symbol.size());
  put_map(payload, m.merges);
  put_map(payload, m.trie_edges);
  put_array(payload, m.trie_token.data(), m.trie_token.size());
  put_array(payload, m.no_word_cut_after.data(), m.no_word_cut_after.size());

  std::string out;
  out.reserve(kHeaderSize + payload.size());
  put_raw(out, kMagic, sizeof kMagic);
  uint32_t version[2] = {kFormatVersion, 0};
  put_raw(out, version, sizeof version);
  std::string hash = source_hash_hex;
  hash.resize(kHashHex, '\0');
  out += hash;
  for (uint64_t v : {source.size, source.mtime_ns, source.ctime_ns, source.ino, source.dev}) put_u64(out, v);
  put_u64(out, payload.size());
  put_u64(out, hash64(payload));
  out += payload;
  return out;
}

Result<CachedModel> load_model_cache(const std::string& path, const SourceStat& source,
                                     const std::function<Result<std::string>()>& source_hash_hex) {
  PT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::open(path));
  auto kept = std::make_shared<MappedFile>(std::move(mapped));
  const MappedFile& f = *kept;
  auto damaged = [&](const std::string& why) { return runtime_error(path + ": tokenizer cache " + why); };
  if (f.size() < kHeaderSize || std::memcmp(f.data(), kMagic, sizeof kMagic) != 0)
    return damaged("is not a tokenizer cache (bad header)");
  const unsigned char* h = f.data() + sizeof kMagic;
  uint32_t version;
  std::memcpy(&version, h, 4);
  if (version != kFormatVersion) return damaged("has format version " + std::to_string(version));
  CachedModel out;
  const std::string_view recorded_hash(reinterpret_cast<const char*>(h + 8), kHashHex);
  SourceStat recorded;
  std::memcpy(&recorded, h + 8 + kHashHex, kStatSize);
  static_assert(sizeof(SourceStat) == kStatSize);
  if (!(recorded == source) || recorded.racy_at(f.mtime_ns())) {
    PT_ASSIGN_OR_RETURN(std::string hash, source_hash_hex());
    out.source_hashed = true;
    if (recorded_hash != hash) return damaged("was built from another tokenizer.json");
  }
  uint64_t length, payload_hash;
  std::memcpy(&length, h + 8 + kHashHex + kStatSize, 8);
  std::memcpy(&payload_hash, h + 16 + kHashHex + kStatSize, 8);
  const unsigned char* payload = f.data() + kHeaderSize;
  if (length != f.size() - kHeaderSize)
    return damaged("is truncated or has trailing bytes (" + std::to_string(f.size() - kHeaderSize) + " of " +
                   std::to_string(length) + " payload bytes)");
  if (hash64(std::string_view(reinterpret_cast<const char*>(payload), length)) != payload_hash)
    return damaged("is corrupt (payload hash mismatch)");

  auto m = std::make_unique<GemmaModel>();
  m->borrowed_from = kept;
  Reader r(payload, length);
  int32_t scalars[2];
  uint8_t flags[8];
  bool ok = r.raw(scalars, sizeof scalars) && r.raw(flags, sizeof flags) &&
            r.raw(m->byte_token, sizeof m->byte_token) && r.raw(m->trie_first_byte, sizeof m->trie_first_byte) &&
            r.raw(m->word_cut_after_ascii, sizeof m->word_cut_after_ascii);
  // the fixed part (8 + 8 + 1024 + 256 + 128 bytes) is a multiple of 8: no padding to skip
  static_assert((sizeof(int32_t) * 2 + 8 + sizeof m->byte_token + 256 + 128) % 8 == 0);
  ok = ok && r.array(m->symbol_token) && r.array(m->cp_symbol) && r.map(m->merges) && r.map(m->trie_edges) &&
       r.array(m->trie_token) && r.array(m->no_word_cut_after) && r.at_end();
  if (!ok) return damaged("is malformed");
  m->unk_token = scalars[0];
  m->space_symbol = scalars[1];
  m->byte_fallback = flags[0];
  m->fuse_unk = flags[1];
  m->unk_possible = flags[2];
  if (m->cp_symbol.size() != 0x110000 || m->trie_token.empty()) return damaged("is malformed (table sizes)");
  out.model = std::move(m);
  return out;
}

}  // namespace pt::tok
