// BM25 over a trace's candidate files. Documents are token lists made by ranker/path_tokens.h
// (a file's path, optionally its stored contents); queries are a request's words.
// Two entry points give identical scores: Bm25Index (an inverted index, for repeated queries or
// file contents) and bm25_path_scores (one pass over the paths for a single query: what a local
// model does per call, no vocabulary built). bm25_rank_paths is the whole of `local:bm25`.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/hash.h"

namespace pt::ranker {

struct Bm25Params {
  double k1 = 1.2;
  double b = 0.75;
};

// idf of a term found in df of n documents (the non-negative Lucene form).
double bm25_idf(int64_t df, int64_t n);

// One term's BM25 contribution: idf times the saturated, length-normalised frequency `tf` in a
// document of `doc_len` tokens where documents average `avg_len` (1 when there are none).
inline double bm25_term_score(double idf, double tf, double doc_len, double avg_len, const Bm25Params& p) {
  double norm = p.k1 * (1.0 - p.b + p.b * doc_len / (avg_len > 0 ? avg_len : 1.0));
  return idf * tf * (p.k1 + 1.0) / (tf + norm);
}

class Bm25Index {
 public:
  explicit Bm25Index(Bm25Params params = {}) : params_(params) {}

  // Adds one document made of the normalised tokens of `text` (stopwords dropped); returns its index.
  int add_text(std::string_view text);
  // Adds one document from already-normalised tokens.
  int add_tokens(std::span<const std::string> tokens);

  size_t size() const { return doc_len_.size(); }
  // Score of every document for the query words (each occurrence of a word counts once more).
  std::vector<double> score(std::span<const std::string> query_words) const;

 private:
  struct Posting {
    int32_t doc;
    int32_t tf;
  };
  int add_ids(std::vector<int32_t>& ids);

  Bm25Params params_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> vocab_;
  std::vector<std::vector<Posting>> postings_;  // by token id
  std::vector<int32_t> doc_len_;
  int64_t total_len_ = 0;
};

// The scores a Bm25Index of just `texts` (add_text of each, in order) gives the query words, without
// building one: only the query's terms are counted, so no token is copied or sorted.
std::vector<double> bm25_text_scores(std::span<const std::string_view> texts, std::span<const std::string> query_words,
                                     Bm25Params params = {});

// BM25 of the query words against each path's tokens, in one pass (same scores as a Bm25Index
// built with add_text(path) for every path).
std::vector<double> bm25_path_scores(std::span<const std::string> paths, std::span<const std::string> query_words,
                                     Bm25Params params = {});

// The same path scores plus BM25 against the file names alone (tokens after the last '/', as a
// collection of their own), from the same single pass.
void bm25_path_and_name_scores(std::span<const std::string> paths, std::span<const std::string> query_words,
                               std::vector<double>& path_scores, std::vector<double>& name_scores,
                               Bm25Params params = {});

struct PathScore {
  size_t index;  // into the candidate paths
  double score;
};

// The files of `paths` whose score in `scores` (one per path) is > 0, best first; ties go to the
// shallower, then the smaller path. The one ordering of every lexical ranker.
std::vector<PathScore> rank_positive(std::span<const std::string> paths, std::span<const double> scores);

// `local:bm25`: candidates ranked by BM25 of the request's words against their path tokens, plus
// content_weight x BM25 against their contents for the files present in `contents` (path ->
// text). Only files scoring > 0, best first; ties go to the shallower, then the smaller path.
std::vector<PathScore> bm25_rank_paths(std::span<const std::string> paths, std::string_view request,
                                       const std::unordered_map<std::string, std::string>* contents = nullptr,
                                       double content_weight = 0.5);

}  // namespace pt::ranker
