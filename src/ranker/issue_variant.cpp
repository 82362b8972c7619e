// Implementation of ranker/issue_variant.h: a target and its quotable material drawn by a seeded
// generator, then one of three issue shapes (a traceback through the name, the message alone,
// the name alone), with the commit's subject minus its paths as prose half the time.
#include "ranker/issue_variant.h"

#include <algorithm>

#include "ranker/gbdt.h"
#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

// The first line of a commit message without the path-like words it names.
std::string subject_without_paths(std::string_view message) {
  std::string_view line = message.substr(0, message.find('\n'));
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    std::string_view w = line.substr(i, j - i);
    i = j + 1;
    if (w.empty() || !path_mentions(w).empty() || w.find('/') != std::string_view::npos) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(w);
  }
  return out;
}

// A traceback whose innermost frame is in `name`, entered from a script outside the repository.
std::string traceback(std::string_view path, const std::string& name, const std::string& error) {
  if (file_extension(path) == "py")
    return "Traceback (most recent call last):\n  File \"/tmp/repro/run_case.py\", line 7, in <module>\n    main()\n"
           "  File \"<string>\", line 1, in " +
           name + "\n" + error + "\n";
  return error + "\n    at " + name + " (/tmp/repro/run_case.js:7:13)\n    at main (/tmp/repro/run_case.js:12:3)\n";
}

}  // namespace

std::optional<IssueVariant> make_issue_variant(const TraceView& view, const std::vector<std::string>& targets,
                                               uint64_t key) {
  if (!view.tree || !view.tree->repo) return std::nullopt;
  std::vector<std::pair<const std::string*, const IssueMaterial*>> code, tests;
  for (const auto& t : targets)
    if (const IssueMaterial* m = view.tree->repo->issue_material(*view.tree, t))
      (is_test_path(t) ? tests : code).push_back({&t, m});
  SplitMix64 rng{key};
  auto pick = [&](size_t n) { return static_cast<size_t>(rng.next() % n); };
  const auto& pool = code.empty() ? tests : code;
  if (pool.empty()) return std::nullopt;
  const auto& [target, material] = pool[pick(pool.size())];
  const std::string name = material->names.empty() ? "" : material->names[pick(material->names.size())];
  const std::string message = material->messages.empty() ? "" : material->messages[pick(material->messages.size())];
  const std::string prose = rng.uniform() < 0.5 ? subject_without_paths(view.request) : "";
  const std::string context = prose.empty() ? "" : "\n\nThis started after: " + prose + ".";
  std::string text;
  size_t shape = pick(3);
  if (shape == 0 && (name.empty() || message.empty())) shape = name.empty() ? 1 : 2;
  if (shape == 1 && message.empty()) shape = 2;
  if (shape == 2 && name.empty()) shape = 1;
  switch (shape) {
    case 0:  // a traceback through the name, ending in the message
      text = "`" + name + "` fails on some inputs" + context + "\n\n```\n" +
             traceback(*target, name, "Error: " + message) + "```\n";
      break;
    case 1:  // the message alone
      text = "Unexpected \"" + message + "\"" + context + "\n\nWe see\n```\n" + message + "\n```\nIs this expected?\n";
      break;
    default:  // the name alone
      text = name + " does not behave as documented" + context + "\n\nCalling `" + name +
             "` gives a wrong result; it worked in the previous release.\n";
  }
  return IssueVariant{std::move(text), *target};
}

}  // namespace pt::ranker
