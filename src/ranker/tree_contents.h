// File contents of a repository's trees for the content-aware local rankers (`local:bm25-content`
// and the student's content features). Every blob is tokenized once (ranker/path_tokens.h rules:
// identifiers split by case, underscores and digits) and keyed by its object id, with the names
// it defines (def/class/func/fn/struct/... followed by an identifier); a tree's path -> blob map
// is built once per tree and cached by tree id; a tree scored again and again also gets an inverted
// index (tree_index.cpp), so a request touches only its own terms' postings. Loading from git
// lives in git_contents.cpp.
#pragma once
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ranker/bm25.h"
#include "util/hash.h"
#include "util/result.h"

namespace pt::ranker {

class RepoContents;
struct TreeIndex;  // tree_index.cpp

// One tree: path -> blob index, for the paths whose contents are known.
struct TreeFiles {
  TreeFiles();
  ~TreeFiles();
  const RepoContents* repo = nullptr;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> blob_of;
  int32_t find(std::string_view path) const {
    auto it = blob_of.find(path);
    return it == blob_of.end() ? -1 : it->second;
  }
  // The inverted index of this tree, built by RepoContents::score on the tree's third use (a scan
  // costs less than building it; a tree met again and again, as when serving, amortizes it).
  mutable std::atomic<int> uses{0};
  mutable std::once_flag index_once;
  mutable std::unique_ptr<const TreeIndex> index;
};

// Per-candidate content evidence for one request.
struct ContentScores {
  std::vector<double> bm25;          // BM25 over path + contents (the `local:bm25-content` score)
  std::vector<double> content_only;  // BM25 over the contents alone
  std::vector<float> defines;        // request identifiers (as written) the file defines, idf-weighted
};

// What an issue about a file might quote from it (training requests shaped like issues,
// ranker/issue_variant.h): a few names it defines (spread over the file) and a few string literals
// that read like messages, those on lines that raise/throw/report an error first.
struct IssueMaterial {
  std::vector<std::string> names;
  std::vector<std::string> messages;
  bool empty() const { return names.empty() && messages.empty(); }
};

// Identifiers of a text as written ("RequestEncodingMixin._encode_params" gives both parts),
// at least 3 characters, not all digits, first occurrence only. Used for symbol matches.
std::vector<std::string> raw_identifiers(std::string_view text);

class RepoContents {
 public:
  static constexpr size_t kMaxBlobBytes = 1 << 20;  // larger blobs are indexed by path only

  // Reads every object of a git repository (one `git cat-file --batch-all-objects` run): commits
  // (their tree and first parent), trees, and text blobs up to kMaxBlobBytes.
  static Result<std::unique_ptr<RepoContents>> load_git(const std::string& repo_dir);

  // Git objects, as the loader meets them (object ids in hex).
  void add_commit(std::string_view oid, std::string_view body);
  void add_tree(std::string_view oid, std::string_view body);  // git's binary tree format
  // A blob's text (binary or oversized: pass "" with indexed=false).
  void add_blob(std::string_view oid, std::string_view text, bool indexed = true);
  // A whole tree made directly from files (tests, work trees); its id is `tree_id`.
  void add_files_tree(std::string tree_id, const std::vector<std::pair<std::string, std::string>>& files);

  // The tree a trace made at `commit` sees: its first parent's tree (null when unknown).
  // Thread-safe; the last few trees are cached by tree id.
  std::shared_ptr<const TreeFiles> parent_tree(std::string_view commit_hex) const;
  // A tree by id (add_files_tree's id, or a tree object's hex id).
  std::shared_ptr<const TreeFiles> tree(std::string_view tree_hex) const;

  // Content evidence for each path (files missing from `tree` score by path only). From the
  // tree's inverted index once the tree has been scanned twice (or `index` is kIndexNow), else by
  // scanning each file's terms; both give identical scores (test TreeIndex.*).
  enum class IndexUse { kAfterFirstUse, kNever, kIndexNow };
  ContentScores score(const TreeFiles* tree, std::span<const std::string> paths, std::span<const std::string> words,
                      std::span<const std::string> identifiers, IndexUse index = IndexUse::kAfterFirstUse) const;

  // The issue material of the file at `path` in `tree` (null when unknown or there is none).
  const IssueMaterial* issue_material(const TreeFiles& tree, std::string_view path) const;

  size_t blobs() const { return blobs_.size(); }
  size_t commits() const { return commit_tree_.size(); }

 private:
  struct Blob {
    std::vector<std::pair<int32_t, int32_t>> terms;  // (term id, tf), by term id
    std::vector<uint64_t> defines;                   // hash64 of the names it defines, sorted
    int32_t length = 0;
    IssueMaterial material;
  };
  struct TreeEntry {
    std::string name;
    std::string oid;  // binary
    bool is_tree = false;
  };
  struct Gathered;  // per-request term counts, before BM25 (tree_index.cpp)
  int32_t index_blob(std::string_view text, bool indexed);
  std::unique_ptr<const TreeIndex> build_index(const TreeFiles& tree) const;
  void gather_scan(const TreeFiles* tree, std::span<const std::string> paths, Gathered& g) const;
  void gather_indexed(const TreeFiles& tree, const TreeIndex& index, std::span<const std::string> paths,
                      Gathered& g) const;
  std::shared_ptr<const TreeFiles> flatten(const std::string& tree_oid) const;
  void flatten_into(const std::string& tree_oid, const std::string& prefix, TreeFiles& out, int depth) const;

  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> vocab_;
  std::vector<Blob> blobs_;
  std::unordered_set<uint64_t> defined_anywhere_;        // every Blob::defines value: skips most request names
  std::unordered_map<std::string, int32_t> blob_index_;  // binary oid -> blobs_
  std::unordered_map<std::string, std::pair<std::string, std::string>> commit_tree_;  // -> (tree, parent)
  std::unordered_map<std::string, std::vector<TreeEntry>> trees_;
  std::unordered_map<std::string, std::shared_ptr<const TreeFiles>> files_trees_;  // add_files_tree

  mutable std::mutex cache_mu_;
  mutable std::list<std::pair<std::string, std::shared_ptr<const TreeFiles>>> cache_;  // most recent first
};

// `local:bm25-content`: the paths ranked by BM25 of the request's words against path + contents
// (ContentScores::bm25; a path whose contents are unknown by its path alone), only scores > 0,
// best first, ties to the shallower then the smaller path (as bm25_rank_paths).
std::vector<PathScore> bm25_content_rank(const RepoContents& repo, const TreeFiles* tree,
                                         std::span<const std::string> paths, std::string_view request);

}  // namespace pt::ranker
