// Implementation of ranker/history_stats.h.
#include "ranker/history_stats.h"

#include <algorithm>
#include <cmath>

#include "ranker/path_tokens.h"

namespace pt::ranker {

int32_t Interner::find(std::string_view s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? -1 : it->second;
}

int32_t Interner::intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  int32_t id = static_cast<int32_t>(texts_.size());
  texts_.emplace_back(s);
  ids_.emplace(texts_.back(), id);
  return id;
}

float sparse_get(const SparseRow& row, int32_t id) {
  auto it = std::lower_bound(row.begin(), row.end(), id, [](const auto& e, int32_t k) { return e.first < k; });
  return it != row.end() && it->first == id ? it->second : 0.0f;
}

void sparse_add(SparseRow& row, int32_t id, float w) {
  auto it = std::lower_bound(row.begin(), row.end(), id, [](const auto& e, int32_t k) { return e.first < k; });
  if (it != row.end() && it->first == id) {
    it->second += w;
  } else {
    row.insert(it, {id, w});
  }
}

namespace {

double decay(double value, int64_t from, int64_t to, double half_life) {
  if (to <= from) return value;
  return value * std::exp2(-static_cast<double>(to - from) / half_life);
}

template <class T>
void grow(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

double HistoryStats::short_rate(int32_t f) const {
  if (f < 0) return 0;
  size_t i = static_cast<size_t>(f);
  return decay(decay_short[i], file_step[i], events, params.short_half_life);
}

double HistoryStats::long_rate(int32_t f) const {
  if (f < 0) return 0;
  size_t i = static_cast<size_t>(f);
  return decay(decay_long[i], file_step[i], events, params.long_half_life);
}

double HistoryStats::cochange_prob(int32_t f, int32_t g) const {
  if (f < 0 || g < 0) return 0;
  double together = sparse_get(cochange[static_cast<size_t>(g)], f);
  return together / (file_count[static_cast<size_t>(g)] + 1.0);
}

void HistoryStats::observe(const std::vector<std::string>& unique_words, const std::vector<std::string>& targets) {
  std::vector<int32_t> fids, dids, eids;
  for (const auto& t : targets) {
    int32_t f = files.intern(t);
    if (std::find(fids.begin(), fids.end(), f) != fids.end()) continue;
    fids.push_back(f);
    int32_t d = dirs.intern(parent_dir(t));
    int32_t e = exts.intern(file_extension(t));
    if (std::find(dids.begin(), dids.end(), d) == dids.end()) dids.push_back(d);
    if (std::find(eids.begin(), eids.end(), e) == eids.end()) eids.push_back(e);
  }
  const size_t nf = files.size();
  grow(file_count, nf);
  grow(decay_short, nf);
  grow(decay_long, nf);
  grow(file_step, nf);
  grow(cochange, nf);
  grow(dir_count, dirs.size());
  grow(ext_count, exts.size());
  for (int32_t f : fids) {
    size_t i = static_cast<size_t>(f);
    file_count[i] += 1;
    decay_short[i] = static_cast<float>(decay(decay_short[i], file_step[i], events, params.short_half_life) + 1);
    decay_long[i] = static_cast<float>(decay(decay_long[i], file_step[i], events, params.long_half_life) + 1);
    file_step[i] = events;
    for (int32_t g : fids)
      if (g != f) sparse_add(cochange[i], g, 1.0f);
  }
  for (int32_t d : dids) dir_count[static_cast<size_t>(d)] += 1;
  for (int32_t e : eids) ext_count[static_cast<size_t>(e)] += 1;
  for (const auto& w : unique_words) {
    int32_t wid = words.intern(w);
    size_t i = static_cast<size_t>(wid);
    grow(word_events, words.size());
    grow(word_files, words.size());
    grow(word_dirs, words.size());
    grow(word_exts, words.size());
    word_events[i] += 1;
    for (int32_t f : fids) sparse_add(word_files[i], f, 1.0f);
    for (int32_t d : dids) sparse_add(word_dirs[i], d, 1.0f);
    for (int32_t e : eids) sparse_add(word_exts[i], e, 1.0f);
  }
  target_total += static_cast<double>(fids.size());
  ++events;
}

std::vector<int32_t> HistoryStats::top_files(size_t n) const {
  std::vector<std::pair<double, int32_t>> all;
  all.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    all.push_back({short_rate(static_cast<int32_t>(i)), static_cast<int32_t>(i)});
  n = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(n), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<int32_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(all[i].second);
  return out;
}

}  // namespace pt::ranker
