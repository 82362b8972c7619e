// A small generated Python repository with file contents, a commit history whose messages are
// written like commit messages, and GitHub-issue-style requests (a title, prose, a code block, an
// error or a traceback that names no file of the repository) about the same code. Tests and
// bench/bench_student_quality.cpp use it: a student trains on the commits, then answers the
// issues it never saw, against content BM25 over the same files.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/file_tree.h"
#include "core/metrics.h"
#include "ranker/gbdt.h"
#include "ranker/synthetic_history.h"
#include "ranker/trace_view.h"

namespace pt_test::issue_repo {

using pt::ranker::SplitMix64;
using pt::ranker::synthetic::word;

struct Module {
  std::string src, test, doc, klass;
  std::vector<std::string> functions;  // snake_case, parts shared with other modules
  std::string error;                   // the message its code raises
};

struct Request {
  std::string text;
  std::vector<std::string> gold;
};

struct Repo {
  std::vector<std::pair<std::string, std::string>> files;  // path, contents (the one, static tree)
  std::vector<std::string> paths;
  std::vector<Module> modules;
  std::vector<Request> commits;  // oldest first: message + the files it changed
  std::vector<Request> issues;   // filed after the last commit; gold: the file that was fixed
};

inline const char* const kVerbs[] = {"parse",  "load",  "render", "encode", "merge", "resolve",
                                     "format", "split", "check",  "build",  "read",  "write"};

inline std::string camel(const std::string& w) { return std::string(1, static_cast<char>(w[0] - 32)) + w.substr(1); }

// modules >= 8. Deterministic for a seed.
inline Repo make_repo(size_t modules, size_t commits, size_t issues, uint64_t seed) {
  Repo r;
  SplitMix64 rng{seed};
  auto pick = [&](size_t n) { return static_cast<size_t>(rng.next() % n); };
  auto noun = [&]() { return word(pick(24) + 2000); };  // a small shared vocabulary
  for (size_t m = 0; m < modules; ++m) {
    Module mod;
    const std::string area = word(m % 5 + 500), name = word(m);
    mod.src = "lib/" + area + "/" + name + ".py";
    mod.test = "tests/" + area + "/test_" + name + ".py";
    mod.doc = "docs/" + name + ".md";
    mod.klass = camel(noun()) + camel(noun()) + "Mixin";
    for (int f = 0; f < 3; ++f) mod.functions.push_back(std::string(kVerbs[pick(12)]) + "_" + noun() + "_" + noun());
    mod.error = "invalid " + noun() + " " + noun() + " value";
    r.modules.push_back(std::move(mod));
  }
  for (size_t m = 0; m < modules; ++m) {
    const Module& mod = r.modules[m];
    const Module& other = r.modules[(m * 7 + 3) % modules];
    std::string src = "\"\"\"" + word(m) + " helpers.\"\"\"\nfrom ." + word((m * 7 + 3) % modules) + " import " +
                      other.functions[0] + "\n\n\nclass " + mod.klass + "(object):\n    def " + mod.functions[0] +
                      "(self, data):\n        if not data:\n            raise ValueError(\"" + mod.error +
                      "\")\n        return " + other.functions[0] + "(data)\n\n";
    for (size_t f = 1; f < mod.functions.size(); ++f)
      src += "\ndef " + mod.functions[f] + "(value, options=None):\n    return [v for v in value if v]\n\n";
    std::string test = "from lib import " + mod.klass + ", " + mod.functions[1] + "\n\n\n";
    for (const auto& f : mod.functions)
      test += "def test_" + f + "():\n    assert " + f + "([]) == []\n    assert " + f + "([1]) == [1]\n\n\n";
    std::string doc = "# " + mod.klass + "\n\nUse `" + mod.functions[1] + "` to " + noun() + " the " + noun() + ".\n";
    r.files.push_back({mod.src, src});
    r.files.push_back({mod.test, test});
    r.files.push_back({mod.doc, doc});
  }
  r.files.push_back({"CHANGELOG.md", "# Changes\n"});
  r.files.push_back({"setup.py", "from setuptools import setup\nsetup(name=\"lib\")\n"});
  for (const auto& f : r.files) r.paths.push_back(f.first);

  std::vector<size_t> recent;
  for (size_t c = 0; c < commits; ++c) {
    size_t m;
    if (!recent.empty() && rng.uniform() < 0.4) {
      m = recent[pick(recent.size())];
    } else {
      double u = rng.uniform();
      m = static_cast<size_t>(u * u * static_cast<double>(modules));
    }
    recent.push_back(m);
    if (recent.size() > 3) recent.erase(recent.begin());
    const Module& mod = r.modules[m];
    Request commit;
    if (rng.uniform() < 0.9) commit.gold.push_back(mod.src);
    if (rng.uniform() < 0.5) commit.gold.push_back(mod.test);
    if (rng.uniform() < 0.15) commit.gold.push_back(mod.doc);
    if (rng.uniform() < 0.3) commit.gold.push_back("CHANGELOG.md");
    if (commit.gold.empty()) commit.gold.push_back(mod.src);
    const std::string& fn = mod.functions[pick(3)];
    double u = rng.uniform();
    if (u < 0.25)
      commit.text = word(m) + ": " + std::string(kVerbs[pick(12)]) + " " + noun() + " " + noun();  // names the file
    else if (u < 0.5)
      commit.text = "fix " + fn + " for " + noun() + " input";
    else if (u < 0.75)
      commit.text = std::string(kVerbs[pick(12)]) + " " + mod.klass + " " + noun();
    else
      commit.text = "handle " + noun() + " " + noun() + " case";  // says nothing of the module
    r.commits.push_back(std::move(commit));
  }
  for (size_t i = 0; i < issues; ++i) {
    const size_t m = pick(modules);
    const Module& mod = r.modules[m];
    const std::string& fn = mod.functions[0];
    const std::string n1 = noun(), n2 = noun();
    Request issue;
    issue.gold = {mod.src};
    switch (i % 3) {
      case 0:  // names the method, quotes the error
        issue.text = "`" + fn + "` raises ValueError on an empty " + n1 +
                     "\n\n### Describe the bug\nWhen I pass an empty " + n1 + " list to `" + fn +
                     "` it fails instead of returning nothing. It also happens with " + n2 +
                     ".\n\n### To reproduce\n```python\nfrom lib import " + mod.klass + "\nobj = " + mod.klass +
                     "()\nobj." + fn + "([])\n```\n\n### Error\n```\nTraceback (most recent call last):\n  File " +
                     "\"repro.py\", line 3, in <module>\n    obj." + fn + "([])\nValueError: " + mod.error +
                     "\n```\n\npython 3.11 on linux, latest release.\n";
        break;
      case 1:  // the error message only
        issue.text = "Unexpected \"" + mod.error + "\" after upgrading\n\nSince the last release our " + n1 +
                     " pipeline stops with\n```\nValueError: " + mod.error + "\n```\nwhenever the " + n2 +
                     " is empty. Is this intended? We did not change our code.\n";
        break;
      default:  // the class only, a traceback through it
        issue.text = mod.klass + " breaks with empty data\n\nThe " + n1 + " " + n2 +
                     " example from the docs crashes:\n```\nTraceback (most recent call last):\n  File \"app.py\", " +
                     "line 12, in main\n    handler = " + mod.klass + "()\n    handler." + fn +
                     "(rows)\nValueError: " + mod.error + "\n```\nThanks for looking.\n";
    }
    r.issues.push_back(std::move(issue));
  }
  return r;
}

// The system prompt a call made after the first `c` commits sees: the tree and the previous 20
// commits, newest first (as `import git` renders them).
inline std::string system_prompt(const Repo& r, size_t c) {
  std::vector<pt::RecentCommit> recent;
  for (size_t k = c; k > 0 && recent.size() < 20; --k) {
    pt::RecentCommit rc{r.commits[k - 1].text, {}};
    for (const auto& f : r.commits[k - 1].gold) rc.files.push_back({'M', f});
    recent.push_back(std::move(rc));
  }
  return "You pick files.\n\n" + pt::render_file_tree(r.paths) + "\n\nRecent changes:\n" +
         pt::render_recent_commits(recent);
}

// recall@5 of a ranking (best first) against the gold files.
inline double recall5(const std::vector<std::string>& ranked, const std::vector<std::string>& gold) {
  std::vector<std::string> top(ranked.begin(), ranked.begin() + static_cast<long>(std::min<size_t>(5, ranked.size())));
  return pt::recall_at(pt::match_paths(top, gold), 5);
}

}  // namespace pt_test::issue_repo
