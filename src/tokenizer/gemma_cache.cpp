// Writes and reads the compiled tokenizer cache (see gemma_cache.h). Layout, all little-endian:
//   header  magic "PTGEMMA\0", u32 format version, u32 0, 32-byte source hash (hex), u64 payload
//           length, u64 XXH3-64 of the payload;
//   payload scalars (unk token, space symbol, flags), byte_token[256], trie_first_byte[256],
//           word_cut_after_ascii[128], then arrays each as u64 count + items padded to 8 bytes:
//           symbol_token, cp_symbol, merges (u64 size + table words), trie_edges (same),
//           trie_token, no_word_cut_after.
// The file is mapped read-only and its tables copied into the model (a few ms for ~25 MB).
// Bump kFormatVersion whenever GemmaModel's tables or the loader's meaning of them change.
#include "tokenizer/gemma_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/hash.h"

namespace pt::tok {
namespace {

constexpr char kMagic[8] = {'P', 'T', 'G', 'E', 'M', 'M', 'A', '\0'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHashHex = 32;
constexpr size_t kHeaderSize = 8 + 4 + 4 + kHashHex + 8 + 8;

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
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
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
    v.resize(n);
    return raw(v.data(), n * sizeof(T)) && skip_pad(n * sizeof(T));
  }
  bool map(FlatMap64& m) {
    uint64_t size, words;
    if (!u64(size) || !u64(words) || words > static_cast<size_t>(end_ - p_) / 8) return false;
    const unsigned char* at = p_;
    p_ += words * 8;
    std::vector<uint64_t> aligned;  // the payload is 8-byte aligned in the file; copy if the mapping is not
    const uint64_t* w = reinterpret_cast<const uint64_t*>(at);
    if (reinterpret_cast<uintptr_t>(at) % alignof(uint64_t)) {
      aligned.resize(words);
      std::memcpy(aligned.data(), at, words * 8);
      w = aligned.data();
    }
    return FlatMap64::from_words(w, words, size, m);
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

Result<std::string> file_hash_hex(const std::string& path) {
  PT_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  Hash128 h = hash128(std::string_view(reinterpret_cast<const char*>(f.data()), f.size()));
  char hex[kHashHex + 1];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(hex);
}

std::string serialize_model(const GemmaModel& m, const std::string& source_hash_hex) {
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
  put_u64(out, payload.size());
  put_u64(out, hash64(payload));
  out += payload;
  return out;
}

Result<std::unique_ptr<GemmaModel>> load_model_cache(const std::string& path, const std::string& source_hash_hex) {
  PT_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  auto damaged = [&](const std::string& why) { return runtime_error(path + ": tokenizer cache " + why); };
  if (f.size() < kHeaderSize || std::memcmp(f.data(), kMagic, sizeof kMagic) != 0)
    return damaged("is not a tokenizer cache (bad header)");
  const unsigned char* h = f.data() + sizeof kMagic;
  uint32_t version;
  std::memcpy(&version, h, 4);
  if (version != kFormatVersion) return damaged("has format version " + std::to_string(version));
  if (std::string_view(reinterpret_cast<const char*>(h + 8), kHashHex) != source_hash_hex)
    return damaged("was built from another tokenizer.json");
  uint64_t length, payload_hash;
  std::memcpy(&length, h + 8 + kHashHex, 8);
  std::memcpy(&payload_hash, h + 16 + kHashHex, 8);
  const unsigned char* payload = f.data() + kHeaderSize;
  if (length != f.size() - kHeaderSize)
    return damaged("is truncated or has trailing bytes (" + std::to_string(f.size() - kHeaderSize) + " of " +
                   std::to_string(length) + " payload bytes)");
  if (hash64(std::string_view(reinterpret_cast<const char*>(payload), length)) != payload_hash)
    return damaged("is corrupt (payload hash mismatch)");

  auto m = std::make_unique<GemmaModel>();
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
  return m;
}

}  // namespace pt::tok
