// Payload compression for the SQLite store: trace payloads (~3 KB of file tree, prompts and
// history each) are stored as zstd frames compressed with a dictionary trained on the store's
// own first big batch (≈6–7× smaller than the JSON text; without a dictionary ≈3×). The frame
// header names its dictionary, so old frames stay readable after a new dictionary is added.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

struct ZSTD_CCtx_s;

namespace pt {

struct PayloadDict {
  uint32_t id = 0;    // zstd dictionary id (also the frames' dictID)
  std::string bytes;  // the dictionary as trained
};

// Trains a dictionary from sample payloads; errors when the samples are too few or too alike
// for zstd to build one (callers then keep compressing without a dictionary).
Result<PayloadDict> train_payload_dict(std::span<const std::string_view> samples);

class FrameDecoder;

class PayloadCodec {
 public:
  struct Dict;
  PayloadCodec();
  ~PayloadCodec();
  PayloadCodec(const PayloadCodec&) = delete;
  PayloadCodec& operator=(const PayloadCodec&) = delete;

  // Makes `dict` known for reading; `use_for_writing` also makes it the one new frames use.
  Result<void> add_dict(const PayloadDict& dict, bool use_for_writing);
  bool has_writing_dict() const { return writing_dict_ != 0; }
  // Forgets every dictionary (before reloading them from the store after a rollback).
  void clear_dicts();

  // Compresses `texts` into `frames` (same order; an empty text gives an empty frame) on up to
  // `threads` threads (the caller's included). Not for concurrent calls on one codec.
  void compress(std::span<const std::string_view> texts, std::vector<std::string>& frames, int threads);
  // Decompresses one frame; errors name what is wrong (unknown dictionary, corrupt frame).
  Result<void> decompress(std::string_view frame, std::string& out);
  // A decoder for other threads with the dictionaries known now (later ones are not added to it).
  std::shared_ptr<const FrameDecoder> decoder() const;

  // True when `bytes` starts like a zstd frame (a JSON text never does); its dictionary id (0: none).
  static bool is_frame(std::string_view bytes);
  static uint32_t frame_dict_id(std::string_view frame);

 private:
  std::map<uint32_t, std::shared_ptr<const Dict>> dicts_;
  uint32_t writing_dict_ = 0;
  struct CCtxDeleter {
    void operator()(ZSTD_CCtx_s* c) const;
  };
  std::vector<std::unique_ptr<ZSTD_CCtx_s, CCtxDeleter>> cctxs_;
  struct DCtx;
  std::unique_ptr<DCtx> dctx_;
};

// Decompresses frames on any number of threads at once (one zstd context per thread), with the
// dictionaries its PayloadCodec knew when it was made.
class FrameDecoder {
 public:
  bool knows(uint32_t dict_id) const { return dict_id == 0 || dicts_.count(dict_id) > 0; }
  Result<void> decompress(std::string_view frame, std::string& out) const;

 private:
  friend class PayloadCodec;
  std::map<uint32_t, std::shared_ptr<const PayloadCodec::Dict>> dicts_;
};

}  // namespace pt
