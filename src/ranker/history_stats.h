// What the student learns from training traces besides its ranking weights: how often each file
// was a target (all-time and with time decay), which files are targets together (co-change),
// and which request words go with which files, directories and extensions. Statistics are
// updated one training trace at a time, in time order, so features of a training trace only ever
// see strictly earlier traces — exactly what a validation trace sees after training.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/hash.h"

namespace pt::ranker {

// Interned strings: id <-> text.
class Interner {
 public:
  int32_t find(std::string_view s) const;
  int32_t intern(std::string_view s);
  const std::string& text(int32_t id) const { return texts_[static_cast<size_t>(id)]; }
  size_t size() const { return texts_.size(); }
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  std::vector<std::string> texts_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ids_;
};

// (id, weight) pairs kept sorted by id for lookups.
using SparseRow = std::vector<std::pair<int32_t, float>>;
float sparse_get(const SparseRow& row, int32_t id);
void sparse_add(SparseRow& row, int32_t id, float w);

struct HistoryParams {
  double short_half_life = 100;  // in training traces
  double long_half_life = 1000;
};

struct HistoryStats {
  HistoryParams params;
  int64_t events = 0;       // training traces observed
  double target_total = 0;  // sum of target-list sizes

  Interner files, words, dirs, exts;
  // Per file id.
  std::vector<float> file_count;   // times the file was a target
  std::vector<float> decay_short;  // decayed count, valid at step file_step
  std::vector<float> decay_long;
  std::vector<int64_t> file_step;   // event index of the last update
  std::vector<SparseRow> cochange;  // f -> (g, times f and g were targets together)
  // Per dir / ext id: traces with a target there.
  std::vector<float> dir_count, ext_count;
  // Per word id.
  std::vector<float> word_events;  // traces whose request has the word
  std::vector<SparseRow> word_files, word_dirs, word_exts;

  // Decayed counts of a file as of the current event count.
  double short_rate(int32_t f) const;
  double long_rate(int32_t f) const;
  // P(f is a target | g is a target), smoothed.
  double cochange_prob(int32_t f, int32_t g) const;

  // Adds one training trace: its request's unique words and its target files.
  void observe(const std::vector<std::string>& unique_words, const std::vector<std::string>& targets);

  // The n files with the highest short-term decayed count (ties by id).
  std::vector<int32_t> top_files(size_t n) const;
};

}  // namespace pt::ranker
