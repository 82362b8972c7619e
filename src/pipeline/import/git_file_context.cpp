// Implementation of pipeline/import/git_file_context.h: per batch, one `git cat-file --batch-check`
// run names the parents' trees, one sizes every candidate ("TREE:PATH", read from a request file
// on stdin), one `git cat-file --batch` run reads each distinct blob small enough to fit once, then
// each trace keeps its text files in rank order while they fit the byte budget.
#include "pipeline/import/git_file_context.h"

#include <cstdio>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>

#include "core/file_context.h"
#include "pipeline/import/git_trace.h"
#include "ranker/bm25.h"
#include "util/json_string.h"

namespace pt {
namespace {

struct Sized {
  std::string oid;  // "" when missing or not a blob
  size_t size = 0;
};

Result<void> write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
  out.close();
  if (!out) return runtime_error(fmt::format("{}: cannot write the git request list", path));
  return ok();
}

// `git cat-file --batch-check` output: "<oid> <type> <size>" or "<name> missing|ambiguous|...";
// an object of another type than `type` counts as missing.
Result<std::vector<Sized>> parse_batch_check(const std::string& text, size_t expected, std::string_view type) {
  std::vector<Sized> out;
  out.reserve(expected);
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    std::string_view line(text.data() + pos, nl - pos);
    Sized s;
    size_t a = line.find(' '), b = line.rfind(' ');
    if (a != std::string_view::npos && b > a && line.substr(a + 1, b - a - 1) == type && (a == 40 || a == 64)) {
      s.oid = std::string(line.substr(0, a));
      for (char c : line.substr(b + 1)) s.size = s.size * 10 + static_cast<size_t>(c - '0');
    }
    out.push_back(std::move(s));
  }
  if (out.size() != expected)
    return runtime_error(fmt::format("git cat-file --batch-check answered {} of {} requests", out.size(), expected));
  return out;
}

// `git cat-file --batch` output: "<oid> <type> <size>\n<body>\n" per object.
Result<void> parse_batch(const std::string& text, std::unordered_map<std::string, std::string>& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) return runtime_error("git cat-file --batch: truncated header");
    std::string_view head(text.data() + pos, nl - pos);
    size_t a = head.find(' '), b = head.rfind(' ');
    if (a == std::string_view::npos || b == a) return runtime_error(fmt::format("git cat-file: bad header '{}'", head));
    size_t size = 0;
    for (char c : head.substr(b + 1)) size = size * 10 + static_cast<size_t>(c - '0');
    if (nl + 1 + size + 1 > text.size()) return runtime_error("git cat-file --batch: truncated body");
    out.emplace(std::string(head.substr(0, a)), text.substr(nl + 1, size));
    pos = nl + 1 + size + 1;
  }
  return ok();
}

}  // namespace

std::vector<std::string> file_context_candidates(const PathSet& tree, std::string_view request,
                                                 const FileContextOptions& options) {
  std::vector<std::string> paths;
  paths.reserve(tree.size());
  for (const auto& p : tree)
    if (representable_path(p)) paths.push_back(p);
  std::vector<std::string> out;
  for (const auto& ps : ranker::bm25_rank_paths(paths, request)) {
    if (out.size() >= 2 * options.max_files) break;
    out.push_back(paths[ps.index]);
  }
  return out;
}

// What each parent's candidates are looked up under: "TREE:" with the parent's tree id, which
// spares git reading two commits per path (half its time here), else "PARENT:" when git cannot
// name the tree (a missing object: the paths then come out missing as they would anyway).
Result<std::unordered_map<std::string, std::string>> GitFileContext::tree_prefixes(
    const std::vector<FileContextRequest>& batch, const std::string& list) {
  std::unordered_map<std::string, std::string> prefix;
  std::vector<std::string> parents, names;
  for (const auto& r : batch)
    if (!r.candidates.empty() && prefix.emplace(r.parent, r.parent + ":").second) {
      parents.push_back(r.parent);
      names.push_back(r.parent + "^{tree}");
    }
  if (names.empty()) return prefix;
  PT_TRY(write_lines(list, names));
  PT_ASSIGN_OR_RETURN(std::string checked,
                      run_git_with_input(GitCommand{{"-C", repo_dir_, "cat-file", "--batch-check"}, {}}, list));
  PT_ASSIGN_OR_RETURN(std::vector<Sized> trees, parse_batch_check(checked, names.size(), "tree"));
  for (size_t i = 0; i < parents.size(); ++i)
    if (!trees[i].oid.empty()) prefix[parents[i]] = trees[i].oid + ":";
  return prefix;
}

Result<std::vector<Row>> GitFileContext::rows(const std::vector<FileContextRequest>& batch) {
  std::vector<Row> rows;
  const std::string list = scratch_dir_ + "/file-context-requests-" + std::to_string(calls_.fetch_add(1));
  PT_ASSIGN_OR_RETURN(auto prefix, tree_prefixes(batch, list));
  std::vector<std::string> names;
  for (const auto& r : batch)
    for (const auto& p : r.candidates) names.push_back(prefix.at(r.parent) + p);
  if (names.empty()) return rows;
  PT_TRY(write_lines(list, names));
  PT_ASSIGN_OR_RETURN(std::string checked,
                      run_git_with_input(GitCommand{{"-C", repo_dir_, "cat-file", "--batch-check"}, {}}, list));
  PT_ASSIGN_OR_RETURN(std::vector<Sized> sized, parse_batch_check(checked, names.size(), "blob"));

  std::vector<std::string> oids;  // distinct blobs small enough for a trace's budget
  std::unordered_map<std::string, bool> wanted;
  for (const Sized& s : sized)
    if (!s.oid.empty() && s.size > 0 && s.size <= o_.max_bytes && wanted.emplace(s.oid, true).second)
      oids.push_back(s.oid);
  std::unordered_map<std::string, std::string> contents;
  if (!oids.empty()) {
    PT_TRY(write_lines(list, oids));
    auto blobs = run_git_with_input(GitCommand{{"-C", repo_dir_, "cat-file", "--batch"}, {}}, list);
    if (!blobs.ok()) return blobs.error();
    PT_TRY(parse_batch(*blobs, contents));
  }

  size_t next = 0;
  std::string payload;
  FileContextStats added;
  for (const auto& r : batch) {
    // {"files":{PATH:{"content":TEXT,"tokens":N},...},"user_input_id":HASH}, written directly (the
    // bytes nlohmann's dump gave: paths are valid UTF-8 and contents sanitized)
    payload.assign("{\"files\":{");
    size_t bytes = 0, count = 0;
    for (const auto& path : r.candidates) {
      const Sized& s = sized[next++];
      if (s.oid.empty() || count >= o_.max_files || bytes + s.size > o_.max_bytes) continue;
      auto it = contents.find(s.oid);
      if (it == contents.end() || it->second.find('\0') != std::string::npos) continue;  // binary
      std::string text = sanitize_utf8(it->second);
      if (count > 0) payload += ',';
      append_json_string(payload, path);
      payload += ":{\"content\":";
      append_json_string(payload, text);
      payload += fmt::format(",\"tokens\":{}}}", approx_token_count(text));
      bytes += s.size;
      ++count;
    }
    if (count == 0) continue;
    payload += '}';
    std::string_view step = r.trace->agent_step_id;
    if (step.rfind("git:", 0) == 0) {
      payload += ",\"user_input_id\":";
      append_json_string(payload, step.substr(4));
    }
    payload += '}';
    rows.push_back(Row{r.trace->agent_step_id + ":context", r.trace->agent_step_id, r.trace->user_id,
                       r.trace->created_at_us, std::string(kExpandedContextBlobs), "", std::move(payload)});
    ++added.traces;
    added.files += static_cast<int64_t>(count);
    added.bytes += static_cast<int64_t>(bytes);
  }
  std::remove(list.c_str());
  std::lock_guard lock(mu_);
  stats_.traces += added.traces;
  stats_.files += added.files;
  stats_.bytes += added.bytes;
  return rows;
}

}  // namespace pt
