// Synthetic file contents for a synthetic history's tree (synthetic_history.h), for the tests and
// benchmarks of content scoring (ranker/tree_contents.h): each file gets `lines` lines of
// camelCase identifiers from a shared vocabulary, a few definitions ("function name(",
// "class Name"), calls and comments; and an issue-style request that quotes some of them.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ranker/synthetic_history.h"

namespace pt::ranker::synthetic {

inline std::vector<std::pair<std::string, std::string>> file_contents(const std::vector<std::string>& files,
                                                                      size_t lines, uint64_t seed) {
  SplitMix64 rng{seed};
  auto pick = [&](uint64_t n) { return rng.next() % n; };
  auto ident = [&] {
    std::string a = word(pick(3000)), b = word(pick(3000));
    b[0] = static_cast<char>(b[0] - 'a' + 'A');
    return a + b;
  };
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    std::string text;
    for (size_t l = 0; l < lines; ++l) {
      switch (pick(6)) {
        case 0: text += "function " + ident() + "(" + word(pick(3000)) + ") {\n"; break;
        case 1: text += "class " + ident() + " extends " + ident() + " {\n"; break;
        case 2: text += "  // " + word(pick(3000)) + " " + word(pick(3000)) + " " + word(pick(300)) + "\n"; break;
        default: text += "  const " + ident() + " = " + ident() + "(" + word(pick(300)) + ", " + ident() + ");\n";
      }
    }
    out.emplace_back(f, std::move(text));
  }
  return out;
}

// An issue-style request: a title, a sentence, a traceback naming two files and a definition.
inline std::string issue_request(const std::vector<std::string>& files, uint64_t seed) {
  SplitMix64 rng{seed};
  auto pick = [&](uint64_t n) { return rng.next() % n; };
  std::string r = "TypeError in " + word(pick(3000)) + word(pick(3000)) + " when " + word(pick(300)) + " is " +
                  word(pick(3000)) + "\n\nCalling handle" + word(pick(3000)) + " with an empty " + word(pick(300)) +
                  " throws:\n\n```\nTypeError: cannot read " + word(pick(3000)) + "\n";
  for (int k = 0; k < 2; ++k)
    r += "    at " + word(pick(3000)) + " (/home/u/app/" + files[pick(files.size())] + ":" + std::to_string(pick(400)) +
         ":7)\n";
  r += "```\n";
  return r;
}

}  // namespace pt::ranker::synthetic
