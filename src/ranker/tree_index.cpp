// Per-request content scores of ranker/tree_contents.h, two ways that give identical numbers:
// a scan (each request path's tokens, then a binary search of every query term in its blob) and
// a per-tree inverted index (path-token, content-term and defined-name postings of every file of
// the tree, built once per TreeFiles, so once per cached tree id) that touches only the request's
// own terms. A 10,000-file tree costs O(files x terms) searches by scan, O(postings) by index.
#include <algorithm>
#include <cmath>

#include "ranker/bm25.h"
#include "ranker/path_tokens.h"
#include "ranker/tree_contents.h"

namespace pt::ranker {

// Postings of one tree. Slots number the tree's files (TreeFiles::blob_of order).
struct TreeIndex {
  struct Posting {
    int32_t slot;
    int32_t tf;
  };
  std::unordered_map<std::string_view, int32_t> slot_of;  // keys point into TreeFiles::blob_of
  std::vector<int32_t> slot_blob;                         // slot -> blob
  std::vector<int32_t> path_len;                          // slot -> non-stopword path tokens
  std::unordered_map<std::string, std::vector<Posting>, StringHash, std::equal_to<>> path_terms;
  // Content terms: postings of term id t are content[content_at[t] .. content_at[t + 1]), by slot.
  std::vector<uint32_t> content_at;
  std::vector<Posting> content;
  std::unordered_map<uint64_t, std::vector<int32_t>> defines;  // name hash -> slots, ascending
};

TreeFiles::TreeFiles() = default;
TreeFiles::~TreeFiles() = default;

struct RepoContents::Gathered {
  struct Term {
    std::string_view word;
    int count;
    int32_t id;
  };
  std::vector<Term> terms;       // unique query words, multiplicity, vocabulary id (-1: unknown)
  std::vector<uint64_t> idents;  // request names some blob defines
  size_t q = 0;
  std::vector<int32_t> tf, ctf;  // n x q: path + content, content only
  std::vector<int32_t> len, clen;
  std::vector<int32_t> def_df;
  std::vector<std::vector<uint16_t>> defs;  // per path: indexes into idents, ascending
};

namespace {

// A tree is scanned this many times before its index is built: one scan of a tree costs less
// than indexing it, and `student train --repo` meets each tree once for features and once more
// for local:bm25-content's held-out ranking; a tree met again (serving) amortizes the index.
constexpr int kScansBeforeIndex = 2;

}  // namespace

std::unique_ptr<const TreeIndex> RepoContents::build_index(const TreeFiles& tree) const {
  auto ix = std::make_unique<TreeIndex>();
  const size_t n = tree.blob_of.size();
  ix->slot_of.reserve(n);
  ix->slot_blob.reserve(n);
  ix->path_len.reserve(n);
  std::vector<uint32_t> count(vocab_.size() + 1, 0);
  for (const auto& [path, blob] : tree.blob_of) {
    const auto slot = static_cast<int32_t>(ix->slot_blob.size());
    ix->slot_of.emplace(std::string_view(path), slot);
    ix->slot_blob.push_back(blob);
    int32_t len = 0;
    std::vector<std::pair<std::string, int32_t>> tokens;  // this path's tokens with their counts
    for_each_token(path, [&](std::string_view t) {
      if (is_stopword(t)) return;
      ++len;
      auto it = std::find_if(tokens.begin(), tokens.end(), [&](const auto& e) { return e.first == t; });
      if (it == tokens.end())
        tokens.emplace_back(std::string(t), 1);
      else
        ++it->second;
    });
    ix->path_len.push_back(len);
    for (auto& [tok, tf] : tokens) ix->path_terms[tok].push_back({slot, tf});
    const Blob& b = blobs_[static_cast<size_t>(blob)];
    for (const auto& [term, tf] : b.terms) ++count[static_cast<size_t>(term)];
    for (uint64_t h : b.defines) ix->defines[h].push_back(slot);
  }
  // Counting sort of the content postings by term, slots ascending within each term.
  ix->content_at.assign(vocab_.size() + 1, 0);
  uint32_t at = 0;
  for (size_t t = 0; t < vocab_.size(); ++t) {
    ix->content_at[t] = at;
    at += count[t];
  }
  ix->content_at[vocab_.size()] = at;
  ix->content.resize(at);
  std::vector<uint32_t> next(ix->content_at.begin(), ix->content_at.end() - 1);
  for (size_t slot = 0; slot < n; ++slot)
    for (const auto& [term, tf] : blobs_[static_cast<size_t>(ix->slot_blob[slot])].terms)
      ix->content[next[static_cast<size_t>(term)]++] = {static_cast<int32_t>(slot), tf};
  return ix;
}

void RepoContents::gather_scan(const TreeFiles* tree, std::span<const std::string> paths, Gathered& g) const {
  const size_t n = paths.size(), q = g.q;
  for (size_t d = 0; d < n; ++d) {
    int32_t* row = g.tf.data() + d * q;
    int32_t* crow = g.ctf.data() + d * q;
    for_each_token(paths[d], [&](std::string_view t) {
      if (is_stopword(t)) return;
      ++g.len[d];
      for (size_t k = 0; k < q; ++k)
        if (g.terms[k].word == t) ++row[k];
    });
    const Blob* b = nullptr;
    if (tree != nullptr) {
      int32_t i = tree->find(paths[d]);
      if (i >= 0) b = &blobs_[static_cast<size_t>(i)];
    }
    if (b == nullptr) continue;
    g.len[d] += b->length;
    g.clen[d] = b->length;
    for (size_t k = 0; k < q; ++k) {
      if (g.terms[k].id < 0) continue;
      auto it = std::lower_bound(b->terms.begin(), b->terms.end(), std::pair<int32_t, int32_t>{g.terms[k].id, 0});
      if (it != b->terms.end() && it->first == g.terms[k].id) {
        row[k] += it->second;
        crow[k] = it->second;
      }
    }
    for (size_t k = 0; k < g.idents.size(); ++k)
      if (std::binary_search(b->defines.begin(), b->defines.end(), g.idents[k])) {
        ++g.def_df[k];
        g.defs[d].push_back(static_cast<uint16_t>(k));
      }
  }
}

void RepoContents::gather_indexed(const TreeFiles& tree, const TreeIndex& ix, std::span<const std::string> paths,
                                  Gathered& g) const {
  const size_t n = paths.size(), q = g.q;
  // Request position of each indexed slot; paths outside the index (or repeated) are scanned.
  std::vector<int32_t> d_of(ix.slot_blob.size(), -1);
  std::vector<size_t> scanned;
  for (size_t d = 0; d < n; ++d) {
    auto it = ix.slot_of.find(std::string_view(paths[d]));
    if (it == ix.slot_of.end() || d_of[static_cast<size_t>(it->second)] >= 0) {
      scanned.push_back(d);
      continue;
    }
    const auto slot = static_cast<size_t>(it->second);
    d_of[slot] = static_cast<int32_t>(d);
    const int32_t blen = blobs_[static_cast<size_t>(ix.slot_blob[slot])].length;
    g.len[d] = ix.path_len[slot] + blen;
    g.clen[d] = blen;
  }
  for (size_t k = 0; k < q; ++k) {
    if (auto p = ix.path_terms.find(g.terms[k].word); p != ix.path_terms.end())
      for (const auto& [slot, tf] : p->second)
        if (int32_t d = d_of[static_cast<size_t>(slot)]; d >= 0) g.tf[static_cast<size_t>(d) * q + k] += tf;
    if (g.terms[k].id < 0) continue;
    const auto t = static_cast<size_t>(g.terms[k].id);
    for (uint32_t i = ix.content_at[t]; i < ix.content_at[t + 1]; ++i) {
      const auto& [slot, tf] = ix.content[i];
      if (int32_t d = d_of[static_cast<size_t>(slot)]; d >= 0) {
        g.tf[static_cast<size_t>(d) * q + k] += tf;
        g.ctf[static_cast<size_t>(d) * q + k] = tf;
      }
    }
  }
  for (size_t k = 0; k < g.idents.size(); ++k) {
    auto p = ix.defines.find(g.idents[k]);
    if (p == ix.defines.end()) continue;
    for (int32_t slot : p->second)
      if (int32_t d = d_of[static_cast<size_t>(slot)]; d >= 0) {
        ++g.def_df[k];
        g.defs[static_cast<size_t>(d)].push_back(static_cast<uint16_t>(k));
      }
  }
  if (scanned.empty()) return;
  // The rest one by one, exactly as the scan does (a sub-request of those paths, then copied).
  std::vector<std::string> rest;
  for (size_t d : scanned) rest.push_back(paths[d]);
  Gathered r;
  r.terms = g.terms;
  r.idents = g.idents;
  r.q = q;
  r.tf.assign(rest.size() * q, 0);
  r.ctf.assign(rest.size() * q, 0);
  r.len.assign(rest.size(), 0);
  r.clen.assign(rest.size(), 0);
  r.def_df.assign(g.idents.size(), 0);
  r.defs.resize(rest.size());
  gather_scan(&tree, rest, r);
  for (size_t j = 0; j < scanned.size(); ++j) {
    const size_t d = scanned[j];
    std::copy_n(r.tf.begin() + static_cast<std::ptrdiff_t>(j * q), q,
                g.tf.begin() + static_cast<std::ptrdiff_t>(d * q));
    std::copy_n(r.ctf.begin() + static_cast<std::ptrdiff_t>(j * q), q,
                g.ctf.begin() + static_cast<std::ptrdiff_t>(d * q));
    g.len[d] = r.len[j];
    g.clen[d] = r.clen[j];
    g.defs[d] = std::move(r.defs[j]);
  }
  for (size_t k = 0; k < g.idents.size(); ++k) g.def_df[k] += r.def_df[k];
}

ContentScores RepoContents::score(const TreeFiles* tree, std::span<const std::string> paths,
                                  std::span<const std::string> words, std::span<const std::string> identifiers,
                                  IndexUse index) const {
  const size_t n = paths.size();
  ContentScores out{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<float>(n, 0.f)};
  if (n == 0) return out;
  Gathered g;
  for (const auto& w : words) {
    auto it = std::find_if(g.terms.begin(), g.terms.end(), [&](const Gathered::Term& t) { return t.word == w; });
    if (it != g.terms.end()) {
      ++it->count;
      continue;
    }
    auto v = vocab_.find(std::string_view(w));
    g.terms.push_back({w, 1, v == vocab_.end() ? -1 : v->second});
  }
  for (const auto& id : identifiers)
    if (uint64_t h = hash64(id); defined_anywhere_.count(h)) g.idents.push_back(h);
  const size_t q = g.q = g.terms.size();
  g.tf.assign(n * q, 0);
  g.ctf.assign(n * q, 0);
  g.len.assign(n, 0);
  g.clen.assign(n, 0);
  g.def_df.assign(g.idents.size(), 0);
  g.defs.resize(n);

  bool use_index = false;
  if (tree != nullptr && index != IndexUse::kNever)
    use_index = index == IndexUse::kIndexNow || tree->uses.fetch_add(1, std::memory_order_relaxed) >= kScansBeforeIndex;
  if (use_index) {
    std::call_once(tree->index_once, [&] { tree->index = build_index(*tree); });
    gather_indexed(*tree, *tree->index, paths, g);
  } else {
    gather_scan(tree, paths, g);
  }

  std::vector<int64_t> df(q, 0), cdf(q, 0);
  int64_t total = 0, ctotal = 0;
  for (size_t d = 0; d < n; ++d) {
    total += g.len[d];
    ctotal += g.clen[d];
    for (size_t k = 0; k < q; ++k) {
      df[k] += g.tf[d * q + k] > 0;
      cdf[k] += g.ctf[d * q + k] > 0;
    }
  }
  const Bm25Params p;
  const int64_t nn = static_cast<int64_t>(n);
  const double avg = static_cast<double>(total) / static_cast<double>(n);
  const double cavg = static_cast<double>(ctotal) / static_cast<double>(n);
  for (size_t k = 0; k < q; ++k) {
    const double idf = bm25_idf(df[k], nn), cidf = bm25_idf(cdf[k], nn);
    for (size_t d = 0; d < n; ++d) {
      if (int32_t t = g.tf[d * q + k]; t > 0)
        out.bm25[d] += g.terms[k].count * bm25_term_score(idf, t, g.len[d], avg, p);
      if (int32_t t = g.ctf[d * q + k]; t > 0)
        out.content_only[d] += g.terms[k].count * bm25_term_score(cidf, t, g.clen[d], cavg, p);
    }
  }
  for (size_t d = 0; d < n; ++d)
    for (uint16_t k : g.defs[d])
      out.defines[d] += static_cast<float>(std::log(1.0 + static_cast<double>(n) / g.def_df[k]));
  return out;
}

}  // namespace pt::ranker
