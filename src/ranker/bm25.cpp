// Implementation of ranker/bm25.h.
#include "ranker/bm25.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

// Unique query terms with their multiplicity.
struct QueryTerm {
  std::string_view word;
  int count;
};

std::vector<QueryTerm> unique_terms(std::span<const std::string> words) {
  std::vector<QueryTerm> out;
  for (const auto& w : words) {
    auto it = std::find_if(out.begin(), out.end(), [&](const QueryTerm& q) { return q.word == w; });
    if (it == out.end()) {
      out.push_back({w, 1});
    } else {
      ++it->count;
    }
  }
  return out;
}

}  // namespace

double bm25_idf(int64_t df, int64_t n) {
  return std::log(1.0 + (static_cast<double>(n - df) + 0.5) / (static_cast<double>(df) + 0.5));
}

int Bm25Index::add_text(std::string_view text) {
  std::vector<int32_t> ids;
  for_each_token(text, [&](std::string_view t) {
    if (is_stopword(t)) return;
    auto it = vocab_.find(t);
    if (it == vocab_.end()) {
      it = vocab_.emplace(std::string(t), static_cast<int32_t>(postings_.size())).first;
      postings_.emplace_back();
    }
    ids.push_back(it->second);
  });
  return add_ids(ids);
}

int Bm25Index::add_tokens(std::span<const std::string> tokens) {
  std::vector<int32_t> ids;
  ids.reserve(tokens.size());
  for (const auto& t : tokens) {
    auto it = vocab_.find(std::string_view(t));
    if (it == vocab_.end()) {
      it = vocab_.emplace(t, static_cast<int32_t>(postings_.size())).first;
      postings_.emplace_back();
    }
    ids.push_back(it->second);
  }
  return add_ids(ids);
}

int Bm25Index::add_ids(std::vector<int32_t>& ids) {
  int32_t doc = static_cast<int32_t>(doc_len_.size());
  doc_len_.push_back(static_cast<int32_t>(ids.size()));
  total_len_ += static_cast<int64_t>(ids.size());
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    postings_[static_cast<size_t>(ids[i])].push_back({doc, static_cast<int32_t>(j - i)});
    i = j;
  }
  return doc;
}

std::vector<double> Bm25Index::score(std::span<const std::string> query_words) const {
  std::vector<double> out(doc_len_.size(), 0.0);
  if (doc_len_.empty()) return out;
  const int64_t n = static_cast<int64_t>(doc_len_.size());
  const double avg = static_cast<double>(total_len_) / static_cast<double>(n);
  for (const auto& q : unique_terms(query_words)) {
    auto it = vocab_.find(q.word);
    if (it == vocab_.end()) continue;
    const auto& plist = postings_[static_cast<size_t>(it->second)];
    double idf = bm25_idf(static_cast<int64_t>(plist.size()), n);
    for (const auto& p : plist)
      out[static_cast<size_t>(p.doc)] +=
          q.count * bm25_term_score(idf, p.tf, doc_len_[static_cast<size_t>(p.doc)], avg, params_);
  }
  return out;
}

namespace {

// One pass over the paths scoring the path field and, when name_out is set, the file-name field
// (the tokens after the last '/') as a second BM25 document collection.
void score_path_fields(std::span<const std::string> paths, std::span<const std::string> query_words,
                       const Bm25Params& params, std::vector<double>& path_out, std::vector<double>* name_out) {
  path_out.assign(paths.size(), 0.0);
  if (name_out != nullptr) name_out->assign(paths.size(), 0.0);
  std::vector<QueryTerm> terms = unique_terms(query_words);
  if (paths.empty() || terms.empty()) return;
  const size_t nterms = terms.size();
  // Few terms: a linear scan beats hashing every path token; many terms: a hash lookup.
  std::unordered_map<std::string_view, int32_t> term_index;
  if (nterms > 24)
    for (size_t k = 0; k < nterms; ++k) term_index.emplace(terms[k].word, static_cast<int32_t>(k));
  auto find_term = [&](std::string_view t) -> int32_t {
    if (nterms > 24) {
      auto it = term_index.find(t);
      return it == term_index.end() ? -1 : it->second;
    }
    for (size_t k = 0; k < nterms; ++k)
      if (terms[k].word == t) return static_cast<int32_t>(k);
    return -1;
  };
  struct Hit {
    int32_t doc;
    int32_t term;
    int32_t tf;       // in the whole path
    int32_t name_tf;  // in the file name
  };
  std::vector<Hit> hits;
  std::vector<int32_t> path_len(paths.size(), 0), name_len(paths.size(), 0);
  std::vector<int64_t> df(nterms, 0), name_df(nterms, 0);
  std::vector<int32_t> tf(nterms, 0), name_tf(nterms, 0);
  std::vector<int32_t> touched;
  int64_t total = 0, name_total = 0;
  // Trees list the files of a directory together: the directory's tokens are matched once per
  // run of paths sharing it.
  std::string_view cached_dir;
  bool have_cached = false;
  int32_t cached_len = 0;
  std::vector<int32_t> cached_hits;  // term ids of the directory's tokens, repeated per occurrence
  for (size_t d = 0; d < paths.size(); ++d) {
    std::string_view path = paths[d];
    size_t slash = path.rfind('/');
    std::string_view dir = slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (!have_cached || dir != cached_dir) {
      cached_dir = dir;
      have_cached = true;
      cached_len = 0;
      cached_hits.clear();
      for_each_token(dir, [&](std::string_view t) {
        if (is_stopword(t)) return;
        ++cached_len;
        int32_t k = find_term(t);
        if (k >= 0) cached_hits.push_back(k);
      });
    }
    int32_t len = cached_len, nlen = 0;
    for (int32_t k : cached_hits)
      if (tf[static_cast<size_t>(k)]++ == 0) touched.push_back(k);
    for_each_token(name, [&](std::string_view t) {
      if (is_stopword(t)) return;
      ++len;
      ++nlen;
      int32_t k = find_term(t);
      if (k < 0) return;
      if (tf[static_cast<size_t>(k)]++ == 0) touched.push_back(k);
      ++name_tf[static_cast<size_t>(k)];
    });
    path_len[d] = len;
    name_len[d] = nlen;
    total += len;
    name_total += nlen;
    for (int32_t k : touched) {
      size_t kk = static_cast<size_t>(k);
      ++df[kk];
      name_df[kk] += name_tf[kk] > 0;
      hits.push_back({static_cast<int32_t>(d), k, tf[kk], name_tf[kk]});
      tf[kk] = 0;
      name_tf[kk] = 0;
    }
    touched.clear();
  }
  const int64_t n = static_cast<int64_t>(paths.size());
  const double avg = static_cast<double>(total) / static_cast<double>(n);
  const double name_avg = static_cast<double>(name_total) / static_cast<double>(n);
  std::vector<double> idf(nterms), name_idf(nterms);
  for (size_t k = 0; k < nterms; ++k) {
    idf[k] = bm25_idf(df[k], n);
    name_idf[k] = bm25_idf(name_df[k], n);
  }
  for (const auto& h : hits) {
    size_t d = static_cast<size_t>(h.doc), k = static_cast<size_t>(h.term);
    path_out[d] += terms[k].count * bm25_term_score(idf[k], h.tf, path_len[d], avg, params);
    if (name_out != nullptr && h.name_tf > 0)
      (*name_out)[d] += terms[k].count * bm25_term_score(name_idf[k], h.name_tf, name_len[d], name_avg, params);
  }
}

}  // namespace

std::vector<double> bm25_text_scores(std::span<const std::string_view> texts, std::span<const std::string> query_words,
                                     Bm25Params params) {
  const size_t n = texts.size();
  std::vector<double> out(n, 0.0);
  if (n == 0) return out;
  const std::vector<QueryTerm> terms = unique_terms(query_words);
  std::unordered_map<std::string_view, size_t> term_of;
  for (size_t k = 0; k < terms.size(); ++k) term_of.emplace(terms[k].word, k);
  std::vector<int32_t> len(n, 0), tf(terms.size() * n, 0);  // tf[k * n + d]
  int64_t total = 0;
  for (size_t d = 0; d < n; ++d) {
    for_each_token(texts[d], [&](std::string_view t) {
      if (is_stopword(t)) return;
      ++len[d];
      auto it = term_of.find(t);
      if (it != term_of.end()) ++tf[it->second * n + d];
    });
    total += len[d];
  }
  const double avg = static_cast<double>(total) / static_cast<double>(n);
  for (size_t k = 0; k < terms.size(); ++k) {  // in the index's term order, so every sum is the same
    const int32_t* f = tf.data() + k * n;
    const int64_t df = std::count_if(f, f + n, [](int32_t v) { return v > 0; });
    if (df == 0) continue;
    const double idf = bm25_idf(df, static_cast<int64_t>(n));
    for (size_t d = 0; d < n; ++d)
      if (f[d] > 0) out[d] += terms[k].count * bm25_term_score(idf, f[d], len[d], avg, params);
  }
  return out;
}

std::vector<double> bm25_path_scores(std::span<const std::string> paths, std::span<const std::string> query_words,
                                     Bm25Params params) {
  std::vector<double> out;
  score_path_fields(paths, query_words, params, out, nullptr);
  return out;
}

void bm25_path_and_name_scores(std::span<const std::string> paths, std::span<const std::string> query_words,
                               std::vector<double>& path_scores, std::vector<double>& name_scores, Bm25Params params) {
  score_path_fields(paths, query_words, params, path_scores, &name_scores);
}

std::vector<PathScore> bm25_rank_paths(std::span<const std::string> paths, std::string_view request,
                                       const std::unordered_map<std::string, std::string>* contents,
                                       double content_weight) {
  std::vector<std::string> words = request_words(request);
  std::vector<double> scores = bm25_path_scores(paths, words);
  if (contents != nullptr && !contents->empty()) {
    std::vector<std::string_view> texts;
    std::vector<size_t> doc_of;  // text -> candidate
    for (size_t i = 0; i < paths.size(); ++i) {
      auto it = contents->find(paths[i]);
      if (it == contents->end()) continue;
      texts.push_back(it->second);
      doc_of.push_back(i);
    }
    std::vector<double> cs = bm25_text_scores(texts, words);
    for (size_t k = 0; k < cs.size(); ++k) scores[doc_of[k]] += content_weight * cs[k];
  }
  return rank_positive(paths, scores);
}

std::vector<PathScore> rank_positive(std::span<const std::string> paths, std::span<const double> scores) {
  std::vector<PathScore> out;
  for (size_t i = 0; i < paths.size(); ++i)
    if (scores[i] > 0) out.push_back({i, scores[i]});
  std::sort(out.begin(), out.end(), [&](const PathScore& a, const PathScore& b) {
    if (a.score != b.score) return a.score > b.score;
    int da = path_depth(paths[a.index]), db = path_depth(paths[b.index]);
    if (da != db) return da < db;
    return paths[a.index] < paths[b.index];
  });
  return out;
}

}  // namespace pt::ranker
