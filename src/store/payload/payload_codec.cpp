// Implementation of store/payload/payload_codec.h on libzstd: frames carry their content size and a
// checksum, so a damaged row is reported instead of read back wrong.
#include "store/payload/payload_codec.h"

#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

namespace pt {
namespace {

constexpr int kLevel = 3;
constexpr size_t kDictCapacity = 112 * 1024;  // zstd's recommended dictionary size
constexpr unsigned long long kMaxPayload = 1ull << 30;

}  // namespace

void PayloadCodec::CCtxDeleter::operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }

struct PayloadCodec::Dict {
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
  ~Dict() {
    ZSTD_freeCDict(cdict);
    ZSTD_freeDDict(ddict);
  }
};

struct PayloadCodec::DCtx {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ~DCtx() { ZSTD_freeDCtx(ctx); }
};

Result<PayloadDict> train_payload_dict(std::span<const std::string_view> samples) {
  std::string joined;
  std::vector<size_t> sizes;
  for (std::string_view s : samples) {
    joined.append(s);
    sizes.push_back(s.size());
  }
  PayloadDict dict;
  dict.bytes.resize(kDictCapacity);
  // Fixed fastCover parameters instead of ZDICT_trainFromBuffer's search over k: on the payloads of
  // four git histories and synthetic production-shaped rows the search took 82-101 ms per
  // dictionary and its pick compressed 4-15% worse than these, trained in 6-14 ms (bench/NOTES.md,
  // "Payload dictionaries without the parameter search").
  ZDICT_fastCover_params_t params{};
  params.k = 2000;  // segment size
  params.d = 8;     // dmer size
  params.f = 20;    // log2 of the frequency table's size
  params.accel = 4;
  params.zParams.compressionLevel = kLevel;
  size_t n = ZDICT_trainFromBuffer_fastCover(dict.bytes.data(), dict.bytes.size(), joined.data(), sizes.data(),
                                             static_cast<unsigned>(sizes.size()), params);
  if (ZDICT_isError(n))
    return runtime_error(fmt::format("cannot train a payload dictionary: {}", ZDICT_getErrorName(n)));
  dict.bytes.resize(n);
  dict.id = ZDICT_getDictID(dict.bytes.data(), dict.bytes.size());
  if (dict.id == 0) return runtime_error("cannot train a payload dictionary: no dictionary id");
  return dict;
}

PayloadCodec::PayloadCodec() : dctx_(std::make_unique<DCtx>()) {}
PayloadCodec::~PayloadCodec() = default;

Result<void> PayloadCodec::add_dict(const PayloadDict& dict, bool use_for_writing) {
  if (!dicts_.count(dict.id)) {
    auto d = std::make_shared<Dict>();
    d->cdict = ZSTD_createCDict(dict.bytes.data(), dict.bytes.size(), kLevel);
    d->ddict = ZSTD_createDDict(dict.bytes.data(), dict.bytes.size());
    if (!d->cdict || !d->ddict || ZSTD_getDictID_fromDDict(d->ddict) != dict.id)
      return runtime_error(fmt::format("payload dictionary {} is damaged", dict.id));
    dicts_.emplace(dict.id, std::move(d));
  }
  if (use_for_writing) writing_dict_ = dict.id;
  return ok();
}

void PayloadCodec::clear_dicts() {
  dicts_.clear();
  writing_dict_ = 0;
}

void PayloadCodec::compress(std::span<const std::string_view> texts, std::vector<std::string>& frames, int threads) {
  frames.resize(texts.size());
  const ZSTD_CDict* cdict = writing_dict_ ? dicts_.at(writing_dict_)->cdict : nullptr;
  size_t n_threads = std::clamp<size_t>(static_cast<size_t>(threads), 1, std::max<size_t>(1, texts.size() / 256));
  while (cctxs_.size() < n_threads) cctxs_.emplace_back(ZSTD_createCCtx());  // kept: their workspaces are big
  auto work = [&](size_t slot, size_t begin, size_t end) {
    ZSTD_CCtx* cctx = cctxs_[slot].get();
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (cdict)
      ZSTD_CCtx_refCDict(cctx, cdict);
    else
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kLevel);
    for (size_t i = begin; i < end; ++i) {
      std::string& out = frames[i];
      if (texts[i].empty()) {
        out.clear();
        continue;
      }
      out.resize(ZSTD_compressBound(texts[i].size()));
      size_t n = ZSTD_compress2(cctx, out.data(), out.size(), texts[i].data(), texts[i].size());
      out.resize(ZSTD_isError(n) ? 0 : n);  // cannot fail with a compressBound-sized buffer
    }
  };
  if (n_threads == 1) return work(0, 0, texts.size());
  std::vector<std::thread> pool;
  size_t per = (texts.size() + n_threads - 1) / n_threads;
  for (size_t t = 1; t < n_threads; ++t)
    pool.emplace_back(work, t, std::min(texts.size(), t * per), std::min(texts.size(), (t + 1) * per));
  work(0, 0, std::min(texts.size(), per));
  for (std::thread& th : pool) th.join();
}

namespace {

Result<void> decompress_with(ZSTD_DCtx* dctx,
                             const std::map<uint32_t, std::shared_ptr<const PayloadCodec::Dict>>& dicts,
                             std::string_view frame, std::string& out) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxPayload)
    return runtime_error("compressed payload is damaged (bad frame header)");
  unsigned dict_id = ZSTD_getDictID_fromFrame(frame.data(), frame.size());
  out.resize(size);
  size_t n;
  if (dict_id == 0) {
    n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), frame.data(), frame.size());
  } else {
    auto it = dicts.find(dict_id);
    if (it == dicts.end())
      return runtime_error(fmt::format("compressed payload needs dictionary {}, which this store lacks", dict_id));
    n = ZSTD_decompress_usingDDict(dctx, out.data(), out.size(), frame.data(), frame.size(), it->second->ddict);
  }
  if (ZSTD_isError(n) || n != size)
    return runtime_error(
        fmt::format("compressed payload is damaged ({})", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  return ok();
}

}  // namespace

Result<void> PayloadCodec::decompress(std::string_view frame, std::string& out) {
  return decompress_with(dctx_->ctx, dicts_, frame, out);
}

std::shared_ptr<const FrameDecoder> PayloadCodec::decoder() const {
  auto d = std::make_shared<FrameDecoder>();
  d->dicts_ = dicts_;
  return d;
}

bool PayloadCodec::is_frame(std::string_view bytes) {
  return bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0x28 &&
         static_cast<unsigned char>(bytes[1]) == 0xB5 && static_cast<unsigned char>(bytes[2]) == 0x2F &&
         static_cast<unsigned char>(bytes[3]) == 0xFD;
}

uint32_t PayloadCodec::frame_dict_id(std::string_view frame) {
  return ZSTD_getDictID_fromFrame(frame.data(), frame.size());
}

Result<void> FrameDecoder::decompress(std::string_view frame, std::string& out) const {
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  return decompress_with(dctx.get(), dicts_, frame, out);
}

}  // namespace pt
