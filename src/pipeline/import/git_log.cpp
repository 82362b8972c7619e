// Implementation of pipeline/import/git_log.h. Record layout of one commit in the log stream:
//   \x01HASH \0 CT \0 EMAIL \0 NAME \0 MESSAGE \0 \0 [\n] (STATUS \0 PATH \0 [PATH \0])*
// Status tokens never start with \x01, so a token that does opens the next commit.
#include "pipeline/import/git_log.h"

#include <charconv>

#include <fmt/format.h>

namespace pt {
namespace {
constexpr int kHeaderFields = 5;  // hash, commit time, email, name, message
}

std::vector<std::string> git_log_args(const std::string& repo_dir, const std::string& rev) {
  // -c overrides neutralise user configuration that would change the output's shape.
  return {"-C",
          repo_dir,
          "-c",
          "log.showSignature=false",
          "-c",
          "diff.relative=false",
          "-c",
          "core.quotePath=false",
          "log",
          "--reverse",
          "--topo-order",
          "--diff-merges=first-parent",
          "-M",
          "--name-status",
          "-z",
          "--no-color",
          "--no-ext-diff",
          "--encoding=UTF-8",
          "--format=%x01%H%x00%ct%x00%aE%x00%aN%x00%B%x00",
          rev,
          "--"};
}

std::vector<std::string> git_rev_list_args(const std::string& repo_dir, const std::string& rev) {
  return {"-C", repo_dir, "rev-list", "--topo-order", "--reverse", "--parents", rev, "--"};
}

Result<void> GitLogParser::feed(std::string_view chunk) {
  pending_.append(chunk);
  size_t start = 0;
  for (size_t nul; (nul = pending_.find('\0', start)) != std::string::npos; start = nul + 1)
    PT_TRY(token(std::string_view(pending_).substr(start, nul - start)));
  pending_.erase(0, start);
  return ok();
}

Result<void> GitLogParser::finish() {
  if (!pending_.empty() || state_ == State::header || state_ == State::path || state_ == State::second_path)
    return runtime_error(
        fmt::format("git log output ends inside commit {}", commit_.hash.empty() ? "?" : commit_.hash));
  if (have_commit_) {
    have_commit_ = false;
    return on_commit_(std::move(commit_));
  }
  return ok();
}

Result<void> GitLogParser::token(std::string_view tok) {
  switch (state_) {
    case State::start:
    case State::changes: {
      if (state_ == State::changes) {
        while (!tok.empty() && tok.front() == '\n') tok.remove_prefix(1);
        if (tok.empty()) return ok();  // end of the header line / blank separator
      }
      if (tok.front() == '\x01') {
        if (have_commit_) PT_TRY(on_commit_(std::move(commit_)));
        commit_ = GitCommit{};
        commit_.hash = std::string(tok.substr(1));
        have_commit_ = true;
        field_ = 1;
        state_ = State::header;
        return ok();
      }
      if (state_ == State::start || tok.size() > 8 || tok[0] < 'A' || tok[0] > 'Z')
        return runtime_error(fmt::format("unexpected git log output near \"{}\"", tok.substr(0, 40)));
      commit_.changes.push_back(GitChange{tok[0], {}, {}});
      state_ = State::path;
      return ok();
    }
    case State::header: {
      if (field_ == 1) {
        auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), commit_.commit_time);
        if (ec != std::errc() || p != tok.data() + tok.size())
          return runtime_error(fmt::format("git log: bad commit time \"{}\" for {}", tok, commit_.hash));
      } else if (field_ == 2) {
        commit_.author_email = std::string(tok);
      } else if (field_ == 3) {
        commit_.author_name = std::string(tok);
      } else {
        commit_.message = std::string(tok);
      }
      if (++field_ == kHeaderFields) state_ = State::changes;
      return ok();
    }
    case State::path: {
      GitChange& c = commit_.changes.back();
      bool two_paths = c.status == 'R' || c.status == 'C';
      (two_paths ? c.old_path : c.path) = std::string(tok);
      state_ = two_paths ? State::second_path : State::changes;
      return ok();
    }
    case State::second_path:
      commit_.changes.back().path = std::string(tok);
      state_ = State::changes;
      return ok();
  }
  return ok();
}

Result<std::vector<GitGraphLine>> parse_rev_list(std::string_view text) {
  std::vector<GitGraphLine> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    GitGraphLine g;
    size_t s = 0;
    for (size_t sp; s <= line.size(); s = sp + 1) {
      sp = line.find(' ', s);
      if (sp == std::string_view::npos) sp = line.size();
      std::string_view h = line.substr(s, sp - s);
      if (h.empty()) return runtime_error(fmt::format("git rev-list output line {}: empty hash", line_no));
      if (g.hash.empty())
        g.hash = std::string(h);
      else
        g.parents.emplace_back(h);
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace pt
