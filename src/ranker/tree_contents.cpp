// Implementation of ranker/tree_contents.h: blob tokenizing and definition scanning, git tree
// objects flattened into path -> blob maps (cached by tree id). The per-request scores are in
// tree_index.cpp.
#include "ranker/tree_contents.h"

#include <algorithm>
#include <cmath>

#include "ranker/bm25.h"
#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

constexpr size_t kTreeCache = 8;
constexpr size_t kMaxDefines = 4096;  // per blob

bool ident_start(char c) { return is_ascii_upper(c) || is_ascii_lower(c) || c == '_' || c == '$'; }
bool ident_char(char c) { return ident_start(c) || is_ascii_digit(c); }

// Calls fn(identifier, position just after it) for each identifier of `text`.
template <class F>
void for_each_identifier(std::string_view text, F&& fn) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (!ident_start(text[i]) || (i > 0 && ident_char(text[i - 1]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && ident_char(text[j])) ++j;
    fn(text.substr(i, j - i), j);
    i = j;
  }
}

bool definition_keyword(std::string_view w) {
  static constexpr std::string_view kWords[] = {"def",  "class", "func",      "fn",   "function", "struct",
                                                "enum", "trait", "interface", "type", "module",   "macro_rules"};
  for (auto k : kWords)
    if (w == k) return true;
  return false;
}

size_t skip_space(std::string_view t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
  return i;
}

// Names a text defines: the identifier after a definition keyword (skipping a Go receiver
// "func (r *T) Name"), and "name = function" / "name: function" (JavaScript).
// `names`, when given, also gets the names as written, in file order.
std::vector<uint64_t> scan_definitions(std::string_view text, std::vector<std::string_view>* names = nullptr) {
  std::vector<uint64_t> out;
  bool after_keyword = false;
  std::string_view prev;
  size_t skip_to = 0;  // a Go receiver's identifiers
  for_each_identifier(text, [&](std::string_view id, size_t end) {
    if (out.size() >= kMaxDefines || end <= skip_to) return;
    if (after_keyword && !definition_keyword(id)) {
      out.push_back(hash64(id));
      if (names) names->push_back(id);
    }
    after_keyword = false;
    if (definition_keyword(id)) {
      size_t k = skip_space(text, end);
      if (id == "func" && k < text.size() && text[k] == '(') {
        size_t close = text.find(')', k);
        if (close == std::string_view::npos || text.substr(k, close - k).find('\n') != std::string_view::npos) return;
        skip_to = close;
      }
      after_keyword = id != "function" || (k < text.size() && text[k] != '(');
    }
    if (id == "function" && !prev.empty()) {
      // "prev = function" / "prev: function": the identifier before the operator is defined.
      out.push_back(hash64(prev));
      if (names) names->push_back(prev);
    }
    size_t k = skip_space(text, end);
    bool assigns = k < text.size() && (text[k] == ':' || (text[k] == '=' && k + 1 < text.size() && text[k + 1] != '='));
    prev = assigns ? id : std::string_view{};
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

constexpr size_t kMaterialNames = 8;
constexpr size_t kMaterialMessages = 8;

// A literal that reads like a message: 10-100 characters, two or more words of letters, no
// newline escapes or path separators.
bool message_like(std::string_view s) {
  if (s.size() < 10 || s.size() > 100) return false;
  if (s.find('/') != std::string_view::npos || s.find('\\') != std::string_view::npos) return false;
  size_t words = 0, letters = 0;
  bool in_word = false;
  for (char c : s) {
    bool l = is_ascii_upper(c) || is_ascii_lower(c);
    letters += l ? 1 : 0;
    if (l && !in_word) ++words;
    in_word = l;
  }
  return words >= 2 && letters * 2 >= s.size() && s.find(' ') != std::string_view::npos;
}

// A source line that raises, throws or reports an error (its literals are the messages an issue
// would paste); not the request-side error line of issue_request.cpp.
bool source_line_reports_error(std::string_view line) {
  static constexpr std::string_view kMarks[] = {"raise", "throw", "Error", "error", "panic", "fail", "Fail", "warn"};
  for (auto m : kMarks)
    if (line.find(m) != std::string_view::npos) return true;
  return false;
}

// Issue material of a text: up to kMaterialNames defined names of 5+ characters spread over the
// file, and up to kMaterialMessages message-like literals, those on error lines first.
IssueMaterial issue_material_of(std::string_view text, const std::vector<std::string_view>& defined) {
  IssueMaterial m;
  std::vector<std::string_view> names;
  for (auto n : defined)
    if (n.size() >= 5 && n.rfind("test", 0) != 0 && n.rfind("Test", 0) != 0 && n.front() != '_' &&
        std::find(names.begin(), names.end(), n) == names.end())
      names.push_back(n);
  const size_t step = std::max<size_t>(1, (names.size() + kMaterialNames - 1) / kMaterialNames);
  for (size_t i = 0; i < names.size() && m.names.size() < kMaterialNames; i += step) m.names.emplace_back(names[i]);
  std::vector<std::string> other;
  size_t pos = 0;
  while (pos < text.size() && m.messages.size() < kMaterialMessages) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const bool err = source_line_reports_error(line);
    for (size_t q = line.find_first_of("\"'`"); q != std::string_view::npos && q + 1 < line.size();) {
      size_t close = line.find(line[q], q + 1);
      if (close == std::string_view::npos) break;
      std::string_view lit = line.substr(q + 1, close - q - 1);
      if (message_like(lit)) {
        if (err && std::find(m.messages.begin(), m.messages.end(), lit) == m.messages.end() &&
            m.messages.size() < kMaterialMessages)
          m.messages.emplace_back(lit);
        else if (!err && other.size() < kMaterialMessages)
          other.emplace_back(lit);
      }
      q = line.find_first_of("\"'`", close + 1);
    }
  }
  for (auto& o : other)
    if (m.messages.size() < kMaterialMessages && std::find(m.messages.begin(), m.messages.end(), o) == m.messages.end())
      m.messages.push_back(std::move(o));
  return m;
}

std::string hex_to_bin(std::string_view hex) {
  auto nib = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out[i / 2] = static_cast<char>(nib(hex[i]) << 4 | nib(hex[i + 1]));
  return out;
}

}  // namespace

std::vector<std::string> raw_identifiers(std::string_view text) {
  std::vector<std::string> out;
  for_each_identifier(text, [&](std::string_view id, size_t) {
    if (id.size() < 3 || std::find(out.begin(), out.end(), id) != out.end()) return;
    out.emplace_back(id);
  });
  return out;
}

void RepoContents::add_commit(std::string_view oid, std::string_view body) {
  std::string tree, parent;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos || eol == pos) break;  // headers end at the first blank line
    std::string_view line = body.substr(pos, eol - pos);
    if (line.rfind("tree ", 0) == 0) tree = hex_to_bin(line.substr(5));
    if (line.rfind("parent ", 0) == 0 && parent.empty()) parent = hex_to_bin(line.substr(7));
    pos = eol + 1;
  }
  commit_tree_[hex_to_bin(oid)] = {std::move(tree), std::move(parent)};
}

void RepoContents::add_tree(std::string_view oid, std::string_view body) {
  const size_t oid_len = oid.size() / 2;
  std::vector<TreeEntry> entries;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t sp = body.find(' ', pos);
    size_t nul = body.find('\0', pos);
    if (sp == std::string_view::npos || nul == std::string_view::npos || nul + 1 + oid_len > body.size()) break;
    std::string_view mode = body.substr(pos, sp - pos);
    TreeEntry e;
    e.name = std::string(body.substr(sp + 1, nul - sp - 1));
    e.oid = std::string(body.substr(nul + 1, oid_len));
    e.is_tree = mode == "40000";
    pos = nul + 1 + oid_len;
    if (mode == "160000") continue;  // a submodule: no contents here
    entries.push_back(std::move(e));
  }
  trees_[hex_to_bin(oid)] = std::move(entries);
}

void RepoContents::add_blob(std::string_view oid, std::string_view text, bool indexed) {
  blob_index_[hex_to_bin(oid)] = index_blob(text, indexed);
}

int32_t RepoContents::index_blob(std::string_view text, bool indexed) {
  Blob b;
  if (indexed) {
    std::vector<int32_t> ids;
    for_each_token(text, [&](std::string_view t) {
      if (is_stopword(t)) return;
      auto it = vocab_.find(t);
      if (it == vocab_.end()) it = vocab_.emplace(std::string(t), static_cast<int32_t>(vocab_.size())).first;
      ids.push_back(it->second);
    });
    b.length = static_cast<int32_t>(ids.size());
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size();) {
      size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) ++j;
      b.terms.emplace_back(ids[i], static_cast<int32_t>(j - i));
      i = j;
    }
    std::vector<std::string_view> names;
    b.defines = scan_definitions(text, &names);
    b.material = issue_material_of(text, names);
    defined_anywhere_.insert(b.defines.begin(), b.defines.end());
  }
  blobs_.push_back(std::move(b));
  return static_cast<int32_t>(blobs_.size() - 1);
}

void RepoContents::add_files_tree(std::string tree_id, const std::vector<std::pair<std::string, std::string>>& files) {
  auto t = std::make_shared<TreeFiles>();
  t->repo = this;
  for (const auto& [path, text] : files) t->blob_of[path] = index_blob(text, true);
  files_trees_[std::move(tree_id)] = std::move(t);
}

void RepoContents::flatten_into(const std::string& tree_oid, const std::string& prefix, TreeFiles& out,
                                int depth) const {
  auto it = trees_.find(tree_oid);
  if (it == trees_.end() || depth > 64) return;
  for (const auto& e : it->second) {
    std::string path = prefix.empty() ? e.name : prefix + "/" + e.name;
    if (e.is_tree) {
      flatten_into(e.oid, path, out, depth + 1);
    } else if (auto b = blob_index_.find(e.oid); b != blob_index_.end()) {
      out.blob_of.emplace(std::move(path), b->second);
    }
  }
}

std::shared_ptr<const TreeFiles> RepoContents::flatten(const std::string& tree_oid) const {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->first == tree_oid) {
        cache_.splice(cache_.begin(), cache_, it);
        return cache_.front().second;
      }
  }
  if (!trees_.count(tree_oid)) return nullptr;
  auto t = std::make_shared<TreeFiles>();
  t->repo = this;
  flatten_into(tree_oid, "", *t, 0);
  std::lock_guard<std::mutex> lock(cache_mu_);
  cache_.emplace_front(tree_oid, t);
  if (cache_.size() > kTreeCache) cache_.pop_back();
  return t;
}

std::shared_ptr<const TreeFiles> RepoContents::parent_tree(std::string_view commit_hex) const {
  auto c = commit_tree_.find(hex_to_bin(commit_hex));
  if (c == commit_tree_.end() || c->second.second.empty()) return nullptr;
  auto p = commit_tree_.find(c->second.second);
  if (p == commit_tree_.end()) return nullptr;
  return flatten(p->second.first);
}

std::shared_ptr<const TreeFiles> RepoContents::tree(std::string_view tree_hex) const {
  if (auto it = files_trees_.find(std::string(tree_hex)); it != files_trees_.end()) return it->second;
  return flatten(hex_to_bin(tree_hex));
}

const IssueMaterial* RepoContents::issue_material(const TreeFiles& tree, std::string_view path) const {
  const int32_t b = tree.find(path);
  if (b < 0 || blobs_[static_cast<size_t>(b)].material.empty()) return nullptr;
  return &blobs_[static_cast<size_t>(b)].material;
}

std::vector<PathScore> bm25_content_rank(const RepoContents& repo, const TreeFiles* tree,
                                         std::span<const std::string> paths, std::string_view request) {
  std::vector<std::string> words = request_words(request);
  ContentScores s = repo.score(tree, paths, words, {});
  return rank_positive(paths, s.bm25);
}

}  // namespace pt::ranker
