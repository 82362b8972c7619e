// Implementation of pipeline/import/git_trace.h.
#include "pipeline/import/git_trace.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include "core/picker_prompt.h"
#include "core/request_kind.h"
#include "util/json_string.h"

namespace pt {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
  if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogates
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
  if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // beyond U+10FFFF
  return n;
}

// A trailer line carrying an e-mail address ("Signed-off-by: A <a@b>", "Cc: a@b"); not
// "deps: qs@6.1" (a subject naming a package version).
bool is_email_trailer(std::string_view line) {
  size_t colon = line.find(": ");
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : line.substr(0, colon))
    if (!alnum(c) && c != '-') return false;
  std::string key = lowercase(line.substr(0, colon));
  bool trailer_key = key == "cc" || (key.size() > 3 && key.compare(key.size() - 3, 3, "-by") == 0);
  return trailer_key && line.find('@', colon) != std::string_view::npos;
}

std::string first_line(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

GitTraceResult skip(GitSkip reason) { return GitTraceResult{std::nullopt, reason}; }

bool only_lockfiles(const std::vector<GitChange>& changes) {
  if (changes.empty()) return false;
  return std::all_of(changes.begin(), changes.end(), [](const GitChange& c) {
    return is_lockfile(c.path) && (c.old_path.empty() || is_lockfile(c.old_path));
  });
}

// Truth: parent-tree paths the commit modified, deleted or renamed away; `added`: new paths.
void truth_and_added(const HistoryStep& s, std::vector<std::string>& truth, std::vector<std::string>& added) {
  for (const GitChange& c : s.commit.changes) {
    if (c.status == 'A' || c.status == 'C') {
      if (representable_path(c.path)) added.push_back(c.path);
      continue;
    }
    const std::string& before = c.status == 'R' ? c.old_path : c.path;
    if (representable_path(before) && s.parent_tree.count(before) &&
        std::find(truth.begin(), truth.end(), before) == truth.end())
      truth.push_back(before);
  }
}

std::string join_lines(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) {
    if (!out.empty()) out += '\n';
    out += p;
  }
  return out;
}

void append_json_array(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, items[i]);
  }
  out += ']';
}

}  // namespace

std::string_view git_skip_name(GitSkip reason) {
  switch (reason) {
    case GitSkip::merge: return "merge commit";
    case GitSkip::no_parent: return "no parent";
    case GitSkip::before_since: return "before --since";
    case GitSkip::bot: return "bot author";
    case GitSkip::lockfile_only: return "lockfiles only";
    case GitSkip::too_many_files: return "too many files changed";
    case GitSkip::empty_message: return "empty message";
    case GitSkip::empty_truth: return "empty truth";
  }
  return "?";
}

bool is_bot_author(std::string_view name, std::string_view email) {
  std::string n = lowercase(name);
  if (n.find("[bot]") != std::string::npos || lowercase(email).find("[bot]@") != std::string::npos) return true;
  static constexpr std::array<std::string_view, 4> kBotWords = {"bot", "dependabot", "greenkeeper", "renovate"};
  for (size_t i = 0; i < n.size();) {
    if (!alnum(n[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n.size() && alnum(n[j])) ++j;
    std::string_view word = std::string_view(n).substr(i, j - i);
    if (std::find(kBotWords.begin(), kBotWords.end(), word) != kBotWords.end()) return true;
    i = j;
  }
  return false;
}

bool is_lockfile(std::string_view path) {
  static constexpr std::array<std::string_view, 19> kLockfiles = {
      "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",     "pnpm-lock.yaml", "bun.lockb",
      "bun.lock",          "Cargo.lock",          "go.sum",        "poetry.lock",    "Pipfile.lock",
      "uv.lock",           "Gemfile.lock",        "composer.lock", "mix.lock",       "pubspec.lock",
      "Podfile.lock",      "packages.lock.json",  "flake.lock",    "gradle.lockfile"};
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return std::find(kLockfiles.begin(), kLockfiles.end(), base) != kLockfiles.end();
}

// simdjson's validator accepts exactly what utf8_sequence() does (no overlongs, surrogates or
// code points past U+10FFFF), many bytes at a time; file contents and messages are nearly always
// valid, so the byte-by-byte walk below only runs on the rare text that is not.
bool valid_utf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

std::string sanitize_utf8(std::string_view text) {
  if (valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  size_t run = 0;  // start of the valid bytes not yet copied
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence(text, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out.append(text.substr(run, i - run));
    out += "\xEF\xBF\xBD";
    run = ++i;
  }
  out.append(text.substr(run));
  return out;
}

bool representable_path(std::string_view path) {
  if (path.empty()) return false;
  // Fast path (nearly every path): printable ASCII, no space starting a name.
  bool ascii = true;
  char prev = '/';
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F) {
      if (c != ' ' || prev == '/') {
        ascii = false;
        break;
      }
    }
    prev = ch;
  }
  if (ascii) return true;
  if (!valid_utf8(path)) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == ' ' && (i == 0 || path[i - 1] == '/')) return false;  // would read as indentation
  }
  return true;
}

std::string clean_commit_message(std::string_view message) {
  std::string text = sanitize_utf8(message);
  std::string out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line = std::string_view(text).substr(pos, nl - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (!is_email_trailer(line)) {
      out += line;
      out += '\n';
    }
    pos = nl + 1;
  }
  size_t a = out.find_first_not_of('\n');
  if (a == std::string::npos) return {};
  size_t b = out.find_last_not_of('\n');
  return out.substr(a, b - a + 1);
}

std::string author_user_id(std::string_view email) {
  std::string key = lowercase(email);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < 8 && i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

RecentCommit summarize_commit(const GitCommit& commit) {
  RecentCommit rc;
  rc.subject = first_line(clean_commit_message(commit.message));
  size_t omitted = 0;
  auto add = [&](char status, const std::string& path) {
    if (!representable_path(path)) return;
    if (rc.files.size() < kRecentFilesPerCommit)
      rc.files.push_back(RecentChange{status, path});
    else
      ++omitted;
  };
  for (const GitChange& c : commit.changes) {
    if (c.status == 'R') {
      add('R', c.old_path);
      add('A', c.path);
    } else {
      add(c.status == 'C' ? 'A' : c.status, c.path);
    }
  }
  if (omitted > 0) rc.subject += fmt::format(" (and {} more files)", omitted);
  return rc;
}

namespace {

// The tree as the prompt shows it: representable paths only.
std::string render_tree(const PathSet& tree) {
  std::vector<std::string_view> paths;
  paths.reserve(tree.size());
  for (const auto& p : tree)
    if (representable_path(p)) paths.push_back(p);
  return render_file_tree_views(std::move(paths));
}

// The system prompt is these three pieces: the head (naming the repository), the rendered tree,
// and the tail (the recent changes).
std::string system_head(std::string_view repo_name) {
  return fmt::format(
      "You pick files for a coding agent working in the repository \"{}\". Read the user's request, the "
      "project's file tree and its recent changes, and list the files the agent should read before it "
      "starts.\n\n",
      sanitize_utf8(repo_name));
}

std::string system_tail(const std::vector<std::shared_ptr<const RecentCommit>>& recent) {
  std::string tail = "\n\nRecent changes (git log, newest first, each commit with the files it changed):\n";
  tail += kRecentOpen;
  tail += '\n';
  for (const auto& r : recent) append_recent_commit(tail, *r);
  tail += kRecentClose;
  return tail;
}

}  // namespace

std::string picker_system_prompt(std::string_view repo_name, const PathSet& tree,
                                 const std::vector<RecentCommit>& recent_newest_first) {
  std::vector<std::shared_ptr<const RecentCommit>> recent;
  recent.reserve(recent_newest_first.size());
  for (const auto& r : recent_newest_first) recent.push_back(std::make_shared<const RecentCommit>(r));
  return system_head(repo_name) + render_tree(tree) + system_tail(recent);
}

TreeRenderCache::Rendered TreeRenderCache::render_uncached(const PathSet& tree) {
  Rendered r;
  r.text = render_tree(tree);
  append_json_string_body(r.json_body, r.text);
  return r;
}

const TreeRenderCache::Rendered& TreeRenderCache::render(const PathSet& tree, uint64_t version) {
  if (version != 0)
    for (const Slot& s : slots_)
      if (s.version == version) return s.tree;
  Slot& slot = slots_[next_];
  next_ = (next_ + 1) % slots_.size();
  slot.version = version;
  slot.tree = render_uncached(tree);
  return slot.tree;
}

TreeRenderCache::Head TreeRenderCache::head_uncached(std::string_view repo_name) {
  Head h;
  h.repo_name = repo_name;
  append_json_string_body(h.json_body, system_head(repo_name));
  append_json_string(h.repo_json, sanitize_utf8(repo_name));
  return h;
}

const TreeRenderCache::Head& TreeRenderCache::head(std::string_view repo_name) {
  if (!head_ || head_->repo_name != repo_name) head_ = head_uncached(repo_name);
  return *head_;
}

GitTraceResult build_git_trace(const HistoryStep& s, const GitTraceOptions& o, TreeRenderCache* trees) {
  const GitCommit& c = s.commit;
  if (s.parent_count > 1) return skip(GitSkip::merge);
  if (!s.has_parent_tree) return skip(GitSkip::no_parent);
  const int64_t created_us = c.commit_time * 1'000'000;
  if (o.since_us && created_us < *o.since_us) return skip(GitSkip::before_since);
  if (is_bot_author(c.author_name, c.author_email)) return skip(GitSkip::bot);
  if (only_lockfiles(c.changes)) return skip(GitSkip::lockfile_only);
  if (c.changes.size() > static_cast<size_t>(o.max_files_changed)) return skip(GitSkip::too_many_files);
  std::string request = clean_commit_message(c.message);
  if (request.empty()) return skip(GitSkip::empty_message);
  std::vector<std::string> truth, added;
  truth_and_added(s, truth, added);
  if (truth.empty()) return skip(GitSkip::empty_truth);

  const std::string step_id = "git:" + c.hash;
  const std::string trace_id = step_id + ":key";
  // The payloads are written directly (the same bytes nlohmann's dump(-1) gives for these
  // ordered objects): every string in them is valid UTF-8 already (sanitized or representable).
  // The system prompt goes in as its three pieces' escaped bodies, the tree's escaped once per tree.
  std::optional<TreeRenderCache::Rendered> uncached_tree;
  std::optional<TreeRenderCache::Head> uncached_head;
  if (!trees) {
    uncached_tree = TreeRenderCache::render_uncached(s.parent_tree);
    uncached_head = TreeRenderCache::head_uncached(o.repo_name);
  }
  const TreeRenderCache::Rendered& tree = trees ? trees->render(s.parent_tree, s.tree_version) : *uncached_tree;
  const TreeRenderCache::Head& head = trees ? trees->head(o.repo_name) : *uncached_head;
  const std::string tail = system_tail(s.recent);
  const std::string prompt = key_picker_prompt(request, o.selection_limit);
  std::string trace;
  trace.reserve(head.json_body.size() + tree.json_body.size() + tail.size() + prompt.size() + 512);
  trace += "{\"request_type\":";
  append_json_string(trace, to_string(RequestKind::key));
  trace += ",\"system\":\"";
  trace += head.json_body;
  trace += tree.json_body;
  append_json_string_body(trace, tail);
  trace += "\",\"messages\":[{\"role\":\"user\",\"content\":";
  append_json_string(trace, prompt);
  trace += "}],\"output\":\"\",\"model\":\"git\",\"repo_name\":";
  trace += head.repo_json;
  trace += ",\"user_input_id\":";
  append_json_string(trace, c.hash);
  trace += '}';
  std::string label;
  label += "{\"request_type\":";
  append_json_string(label, to_string(RequestKind::key));
  label += ",\"trace_id\":";
  append_json_string(label, trace_id);
  label += ",\"user_input_id\":";
  append_json_string(label, c.hash);
  label += ",\"output\":";
  append_json_string(label, join_lines(truth));
  label += ",\"files\":";
  append_json_array(label, truth);
  label += ",\"added\":";
  append_json_array(label, added);
  label +=
      ",\"usage\":{\"input_tokens\":0,\"output_tokens\":0,\"cached_input_tokens\":0},\"cost_usd\":0,\"latency_ms\":0}";
  GitTraceRows rows;
  const std::string user = author_user_id(c.author_email);
  rows.trace = Row{trace_id, step_id, user, created_us, std::string(kGetRelevantFiles), "", std::move(trace)};
  rows.truth =
      Row{"truth:" + c.hash + ":key", step_id, user, created_us, "", std::string(kTruthModel), std::move(label)};
  return GitTraceResult{std::move(rows), GitSkip::merge};
}

}  // namespace pt
