// A synthetic git-like history for the ranker's tests and benchmarks: modules (source, test, doc
// files) that change in topical runs, partner modules that co-change, a changelog touched by
// many commits, and commit messages that name their module only sometimes (other times an alias
// word only history can connect to it). Rendered exactly like `import git` renders traces:
// <project_file_tree>, <recent_commits> (previous 20 commits, newest first) and the Key prompt.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "core/row.h"
#include "ranker/gbdt.h"
#include "ranker/trace_view.h"

namespace pt::ranker::synthetic {

struct Commit {
  std::string message;
  std::vector<std::string> changed;
};

struct History {
  std::vector<std::string> files;  // the (static) tree
  std::vector<Commit> commits;     // oldest first
};

inline std::string word(uint64_t i) {
  static const char* syl[] = {"ka", "lo", "mi", "ru", "te", "zo", "pa", "ni", "sho", "ve", "du", "ga"};
  std::string w;
  for (int k = 0; k < 4; ++k) {
    w += syl[i % 12];
    i /= 12;
  }
  return w;
}

// n_files >= 40. Deterministic for a seed.
inline History make_history(size_t n_files, size_t n_commits, uint64_t seed) {
  History h;
  SplitMix64 rng{seed};
  const size_t modules = std::max<size_t>(4, n_files / 5);
  auto src = [](size_t m) { return "src/" + word(m % 7 + 500) + "/" + word(m) + ".js"; };
  auto test = [](size_t m) { return "test/" + word(m % 7 + 500) + "/" + word(m) + ".test.js"; };
  auto doc = [](size_t m) { return "docs/" + word(m) + ".md"; };
  for (size_t m = 0; m < modules; ++m) {
    h.files.push_back(src(m));
    h.files.push_back(test(m));
    h.files.push_back(doc(m));
  }
  h.files.push_back("CHANGELOG.md");
  h.files.push_back("package.json");
  for (size_t k = 0; h.files.size() < n_files; ++k)
    h.files.push_back("assets/" + word(k % 9 + 900) + "/img" + std::to_string(k) + ".png");
  std::vector<size_t> recent_topics;
  for (size_t c = 0; c < n_commits; ++c) {
    size_t topic;
    if (!recent_topics.empty() && rng.uniform() < 0.5) {
      topic = recent_topics[static_cast<size_t>(rng.uniform() * static_cast<double>(recent_topics.size()))];
    } else {
      double u = rng.uniform();
      topic = static_cast<size_t>(u * u * static_cast<double>(modules));  // skewed: low ids are hot
    }
    recent_topics.push_back(topic);
    if (recent_topics.size() > 3) recent_topics.erase(recent_topics.begin());
    Commit commit;
    const size_t partner = (topic * 7 + 3) % modules;
    if (rng.uniform() < 0.9) commit.changed.push_back(src(topic));
    if (rng.uniform() < 0.6) commit.changed.push_back(test(topic));
    if (rng.uniform() < 0.2) commit.changed.push_back(doc(topic));
    if (rng.uniform() < 0.3) commit.changed.push_back(src(partner));
    if (rng.uniform() < 0.35) commit.changed.push_back("CHANGELOG.md");
    if (commit.changed.empty()) commit.changed.push_back(src(topic));
    static const char* verbs[] = {"fix", "improve", "refactor", "handle", "support"};
    std::string subject = verbs[rng.next() % 5];
    double u = rng.uniform();
    if (u < 0.35)
      subject += " " + word(topic);  // names the module
    else if (u < 0.7)
      subject += " " + word(topic + 3000);                    // an alias only history explains
    subject += " " + word(rng.next() % 40 + 7000) + " case";  // noise
    commit.message = subject;
    h.commits.push_back(std::move(commit));
  }
  return h;
}

// The system prompt of the trace for commit c (tree + the 20 previous commits, newest first).
inline std::string system_prompt(const History& h, size_t c) {
  std::vector<RecentCommit> recent;
  for (size_t k = c; k > 0 && recent.size() < 20; --k) {
    RecentCommit rc{h.commits[k - 1].message, {}};
    for (const auto& f : h.commits[k - 1].changed) rc.files.push_back({'M', f});
    recent.push_back(std::move(rc));
  }
  return "You pick files.\n\n" + render_file_tree(h.files) + "\n\nRecent changes:\n" + render_recent_commits(recent);
}

inline TraceView view(const History& h, size_t c) { return make_trace_view(system_prompt(h, c), h.commits[c].message); }

// Store rows as `import git` writes them: a Key trace and a `truth` relabel per commit.
inline std::vector<Row> trace_rows(const History& h) {
  std::vector<Row> rows;
  for (size_t c = 0; c < h.commits.size(); ++c) {
    const std::string step = "git:syn" + std::to_string(c);
    nlohmann::json trace = {
        {"request_type", "Key"},
        {"system", system_prompt(h, c)},
        {"messages", {{{"role", "user"}, {"content", key_picker_prompt(h.commits[c].message, 12)}}}},
        {"output", ""}};
    std::string output;
    for (const auto& f : h.commits[c].changed) output += (output.empty() ? "" : "\n") + f;
    nlohmann::json truth = {
        {"request_type", "Key"}, {"trace_id", step + ":key"}, {"output", output}, {"files", h.commits[c].changed}};
    const int64_t ts = 1'600'000'000'000'000 + static_cast<int64_t>(c) * 3'600'000'000;
    rows.push_back(Row{step + ":key", step, "u1", ts, std::string(kGetRelevantFiles), "", trace.dump()});
    rows.push_back(Row{"truth:" + step, step, "u1", ts, "", std::string(kTruthModel), truth.dump()});
  }
  return rows;
}

}  // namespace pt::ranker::synthetic
