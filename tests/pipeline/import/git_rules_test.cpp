// Unit tests for the pieces of `import git` that need no repository: the log-stream parser (fed
// in awkward chunks), the rev-list parser, bot/lockfile/path rules, message cleaning, the author
// hash, and the history walker's tree and recent-window bookkeeping on a hand-made graph.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/import/git_history.h"
#include "pipeline/import/git_log.h"
#include "pipeline/import/git_trace.h"
#include "pipeline/import/import_git.h"

namespace pt {
namespace {

using namespace std::string_literals;

// Two commits as `git log --name-status -z` prints them with our format (a rename, a path with
// a space and a newline-free non-UTF-8 name), then a commit with no changes.
const std::string kLog = "\x01"s + "aaa" + '\0' + "100" + '\0' + "a@x" + '\0' + "Ann" + '\0' + "First\n\nbody\n" +
                         '\0' + '\0' + '\n' + "A" + '\0' + "my file.txt" + '\0' + "A" + '\0' + "caf\xe9" + '\0' +
                         "\x01" + "bbb" + '\0' + "200" + '\0' + "b@x" + '\0' + "Bob" + '\0' + "Second" + '\0' + '\0' +
                         '\n' + "R087" + '\0' + "my file.txt" + '\0' + "dir/new name.txt" + '\0' + "D" + '\0' +
                         "caf\xe9" + '\0' + "\x01" + "ccc" + '\0' + "300" + '\0' + "c@x" + '\0' + "Cy" + '\0' + "" +
                         '\0' + '\0';

std::vector<GitCommit> parse_in_chunks(const std::string& text, size_t chunk) {
  std::vector<GitCommit> out;
  GitLogParser parser([&](GitCommit&& c) -> Result<void> {
    out.push_back(std::move(c));
    return ok();
  });
  for (size_t i = 0; i < text.size(); i += chunk)
    EXPECT_TRUE(parser.feed(std::string_view(text).substr(i, chunk)).ok());
  EXPECT_TRUE(parser.finish().ok());
  return out;
}

TEST(GitLogParser, ParsesCommitsWhateverTheChunking) {
  for (size_t chunk : {1u, 3u, 7u, 4096u}) {
    auto commits = parse_in_chunks(kLog, chunk);
    ASSERT_EQ(commits.size(), 3u) << chunk;
    EXPECT_EQ(commits[0].hash, "aaa");
    EXPECT_EQ(commits[0].commit_time, 100);
    EXPECT_EQ(commits[0].author_email, "a@x");
    EXPECT_EQ(commits[0].author_name, "Ann");
    EXPECT_EQ(commits[0].message, "First\n\nbody\n");
    ASSERT_EQ(commits[0].changes.size(), 2u);
    EXPECT_EQ(commits[0].changes[0].path, "my file.txt");
    EXPECT_EQ(commits[0].changes[1].path, "caf\xe9");
    ASSERT_EQ(commits[1].changes.size(), 2u);
    EXPECT_EQ(commits[1].changes[0].status, 'R');
    EXPECT_EQ(commits[1].changes[0].old_path, "my file.txt");
    EXPECT_EQ(commits[1].changes[0].path, "dir/new name.txt");
    EXPECT_EQ(commits[1].changes[1].status, 'D');
    EXPECT_EQ(commits[2].hash, "ccc");
    EXPECT_EQ(commits[2].message, "");
    EXPECT_TRUE(commits[2].changes.empty());
  }
}

TEST(GitLogParser, TruncatedOrForeignOutputIsAnError) {
  GitLogParser p([](GitCommit&&) -> Result<void> { return ok(); });
  ASSERT_TRUE(p.feed(kLog.substr(0, 20)).ok());
  EXPECT_FALSE(p.finish().ok());
  GitLogParser q([](GitCommit&&) -> Result<void> { return ok(); });
  auto r = q.feed("commit abc\0"s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unexpected git log output"), std::string::npos);
}

TEST(GitRevList, ParsesHashesAndParents) {
  auto g = parse_rev_list("a\nb a\nc a\nd b c\n");
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 4u);
  EXPECT_EQ((*g)[3].hash, "d");
  EXPECT_EQ((*g)[3].parents, (std::vector<std::string>{"b", "c"}));
  EXPECT_FALSE(parse_rev_list("a  b\n").ok());
}

TEST(GitRules, BotAuthors) {
  EXPECT_TRUE(is_bot_author("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"));
  EXPECT_TRUE(is_bot_author("renovate-bot", "bot@renovateapp.com"));
  EXPECT_TRUE(is_bot_author("Release Bot", "rel@example.com"));
  EXPECT_TRUE(is_bot_author("dependabot", "support@dependabot.com"));
  EXPECT_TRUE(is_bot_author("GitHub Actions", "41898282+github-actions[bot]@users.noreply.github.com"));
  EXPECT_FALSE(is_bot_author("Jane Cabot", "jane@cabot.example"));
  EXPECT_FALSE(is_bot_author("Bo Tran", "bo@example.com"));
  EXPECT_FALSE(is_bot_author("Robotham", "r@example.com"));
  EXPECT_FALSE(is_bot_author("Abbot Kinney", "abbot@example.com"));
}

TEST(GitRules, Lockfiles) {
  for (const char* p : {"package-lock.json", "web/yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum", "poetry.lock",
                        "Gemfile.lock", "a/b/composer.lock"})
    EXPECT_TRUE(is_lockfile(p)) << p;
  for (const char* p : {"package.json", "yarn.lock.md", "lock", "src/Cargo.toml", "my-package-lock.json"})
    EXPECT_FALSE(is_lockfile(p)) << p;
}

TEST(GitRules, RepresentablePathsAndUtf8) {
  EXPECT_TRUE(representable_path("docs/my notes.txt"));
  EXPECT_TRUE(representable_path("docs/caf\xc3\xa9.md"));
  EXPECT_FALSE(representable_path("caf\xe9.txt"));
  EXPECT_FALSE(representable_path("a\nb"));
  EXPECT_FALSE(representable_path("a/ leading space"));
  EXPECT_FALSE(representable_path("\xed\xa0\x80"));  // a UTF-16 surrogate
  EXPECT_FALSE(representable_path("\xc0\xaf"));      // overlong '/'
  EXPECT_EQ(sanitize_utf8("ok \xff end"), "ok \xEF\xBF\xBD end");
  EXPECT_TRUE(valid_utf8(sanitize_utf8("\xe9\xc3")));
}

// The length of the well-formed UTF-8 sequence at s[i] (0: none), found the long way: decode 1-4
// bytes as a code point and keep the length whose shortest encoding is exactly those bytes.
size_t reference_sequence(std::string_view s, size_t i) {
  auto encode = [](uint32_t cp) {
    std::string e;
    if (cp < 0x80) {
      e += static_cast<char>(cp);
    } else if (cp < 0x800) {
      e += static_cast<char>(0xC0 | (cp >> 6));
      e += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      e += static_cast<char>(0xE0 | (cp >> 12));
      e += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      e += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      e += static_cast<char>(0xF0 | (cp >> 18));
      e += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      e += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      e += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return e;
  };
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  for (size_t n = 1; n <= 4 && i + n <= s.size(); ++n) {
    uint32_t cp = n == 1 ? b(i) : b(i) & (0x7Fu >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) continue;
    if (encode(cp) == s.substr(i, n)) return n;
  }
  return 0;
}

TEST(GitRules, Utf8CheckAndRepairAgreeWithTheDefinition) {
  auto reference_valid = [](std::string_view s) {
    for (size_t i = 0, n; i < s.size(); i += n)
      if ((n = reference_sequence(s, i)) == 0) return false;
    return true;
  };
  auto reference_sanitize = [](std::string_view s) {  // each byte starting no sequence -> U+FFFD
    std::string out;
    for (size_t i = 0; i < s.size();) {
      size_t n = reference_sequence(s, i);
      out += n ? std::string(s.substr(i, n)) : std::string("\xEF\xBF\xBD");
      i += n ? n : 1;
    }
    return out;
  };
  // Every 1- and 2-byte string, and 3- and 4-byte strings around every boundary of the rules.
  std::vector<std::string> cases;
  for (int a = 0; a < 256; ++a) {
    cases.push_back(std::string(1, static_cast<char>(a)));
    for (int c = 0; c < 256; ++c) cases.push_back({static_cast<char>(a), static_cast<char>(c)});
  }
  const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                       0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 'a'};
  for (int a : edges)
    for (int c : edges)
      for (int d : edges) {
        cases.push_back({static_cast<char>(a), static_cast<char>(c), static_cast<char>(d)});
        for (int e : edges)
          cases.push_back({static_cast<char>(a), static_cast<char>(c), static_cast<char>(d), static_cast<char>(e)});
      }
  // Longer texts: valid runs (ASCII, 2-, 3- and 4-byte characters) broken by stray bytes.
  uint32_t seed = 7;
  const std::string pieces[] = {"plain text ", "caf\xc3\xa9 ", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff",
                                "\xc3",        "\xe2\x82",     "\xed\xa0\x80", "\xf4\x90\x80\x80", "\n"};
  for (int t = 0; t < 500; ++t) {
    std::string text;
    for (int k = 0; k < 40; ++k) {
      seed = seed * 1103515245 + 12345;
      text += pieces[(seed >> 16) % 10];
    }
    cases.push_back(text);
  }
  for (const std::string& c : cases) {
    ASSERT_EQ(valid_utf8(c), reference_valid(c)) << testing::PrintToString(c);
    ASSERT_EQ(sanitize_utf8(c), reference_sanitize(c)) << testing::PrintToString(c);
  }
}

TEST(GitRules, CommitMessagesLoseEmailTrailersOnly) {
  EXPECT_EQ(
      clean_commit_message("Fix it\r\n\r\nDetails here.\r\n\r\nSigned-off-by: A <a@b.c>\nCo-authored-by: B <b@c.d>\n"),
      "Fix it\n\nDetails here.");
  EXPECT_EQ(clean_commit_message("deps: qs@^6.14.1\n"), "deps: qs@^6.14.1");
  EXPECT_EQ(clean_commit_message("\n\n  \n"), "");
  EXPECT_EQ(clean_commit_message("caf\xe9"), "caf\xEF\xBF\xBD");
}

TEST(GitRules, AuthorIdIsAShortSha256OfTheLowercasedEmail) {
  EXPECT_EQ(author_user_id("alice@example.com"), "ff8d9819fc0e12bf");  // echo -n alice@example.com | sha256sum
  EXPECT_EQ(author_user_id("Alice@Example.com"), "ff8d9819fc0e12bf");
  EXPECT_NE(author_user_id("bob@example.com"), author_user_id("alice@example.com"));
}

TEST(GitRules, RepoNames) {
  EXPECT_EQ(repo_name_from_source("data/sample/express.bundle"), "express");
  EXPECT_EQ(repo_name_from_source("/srv/git/linux.git/"), "linux");
  EXPECT_EQ(repo_name_from_source("my repo"), "my repo");
}

TEST(GitRules, RecentSummaryCapsFilesAndShowsRenamesAsOldAndNew) {
  GitCommit c;
  c.message = "Big change\n\nbody";
  c.changes.push_back(GitChange{'R', "new.js", "old.js"});
  for (int i = 0; i < 25; ++i) c.changes.push_back(GitChange{'M', "f" + std::to_string(i), ""});
  RecentCommit rc = summarize_commit(c);
  ASSERT_EQ(rc.files.size(), kRecentFilesPerCommit);
  EXPECT_EQ(rc.files[0].status, 'R');
  EXPECT_EQ(rc.files[0].path, "old.js");
  EXPECT_EQ(rc.files[1].status, 'A');
  EXPECT_EQ(rc.files[1].path, "new.js");
  EXPECT_EQ(rc.subject, "Big change (and 7 more files)");
}

// Graph: r <- a <- b, r <- s (side), m = merge(b, s), c <- m. Times make s older than b.
TEST(HistoryWalker, TreesFollowFirstParentsAndWindowsHoldAncestorsOnly) {
  std::vector<GitGraphLine> graph = {{"r", {}},    {"a", {"r"}},      {"s", {"r"}},
                                     {"b", {"a"}}, {"m", {"b", "s"}}, {"c", {"m"}}};
  auto summarize = [](const GitCommit& c) { return RecentCommit{c.message, {}}; };
  HistoryWalker w(graph, summarize, 3);
  auto commit = [](std::string h, int64_t t, std::vector<GitChange> ch) {
    GitCommit c;
    c.hash = h;
    c.message = h;
    c.commit_time = t;
    c.changes = std::move(ch);
    return c;
  };
  std::map<std::string, std::vector<std::string>> recent;
  std::map<std::string, std::vector<std::string>> trees;
  std::map<std::string, uint64_t> versions;
  auto visit = [&](const HistoryStep& s) -> Result<void> {
    versions[s.commit.hash] = s.tree_version;
    for (const auto& r : s.recent) recent[s.commit.hash].push_back(r->subject);
    trees[s.commit.hash] = std::vector<std::string>(s.parent_tree.begin(), s.parent_tree.end());
    return ok();
  };
  ASSERT_TRUE(w.step(commit("r", 10, {{'A', "x", ""}, {'A', "y", ""}}), visit).ok());
  ASSERT_TRUE(w.step(commit("a", 30, {{'M', "x", ""}}), visit).ok());
  ASSERT_TRUE(w.step(commit("s", 20, {{'A', "side", ""}}), visit).ok());
  ASSERT_TRUE(w.step(commit("b", 40, {{'D', "y", ""}}), visit).ok());
  ASSERT_TRUE(w.step(commit("m", 50, {{'A', "side", ""}}), visit).ok());
  ASSERT_TRUE(w.step(commit("c", 60, {{'M', "x", ""}}), visit).ok());
  EXPECT_EQ(recent["b"], (std::vector<std::string>{"a", "r"})) << "s is older than a and b but not an ancestor";
  EXPECT_EQ(recent["s"], (std::vector<std::string>{"r"}));
  EXPECT_EQ(recent["c"], (std::vector<std::string>{"b", "a", "s"})) << "merge skipped, window of 3, newest first";
  EXPECT_EQ(trees["s"], (std::vector<std::string>{"x", "y"})) << "the branch point's tree was copied, not moved";
  EXPECT_EQ(trees["b"], (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(trees["c"], (std::vector<std::string>{"side", "x"}));
  // Tree versions: equal exactly when the parent trees are equal (a only modifies x).
  EXPECT_EQ(versions["r"], 0u) << "no parent tree";
  EXPECT_NE(versions["a"], 0u);
  EXPECT_EQ(versions["s"], versions["a"]) << "a copy keeps its version";
  EXPECT_EQ(versions["b"], versions["a"]) << "a modification keeps the tree's version";
  EXPECT_NE(versions["m"], versions["b"]) << "b deleted y";
  EXPECT_NE(versions["c"], versions["m"]) << "m added side";
  EXPECT_NE(versions["c"], versions["b"]);
  EXPECT_FALSE(w.step(commit("zzz", 70, {}), visit).ok());
  EXPECT_FALSE(w.step(commit("a", 70, {}), visit).ok()) << "twice";
}

TEST(HistoryWalker, ApplyChangesSaysWhetherThePathSetChanged) {
  PathSet tree = {"a", "b"};
  EXPECT_FALSE(apply_changes(tree, {{'M', "a", ""}, {'T', "b", ""}}));
  EXPECT_FALSE(apply_changes(tree, {{'D', "gone", ""}}));
  EXPECT_TRUE(apply_changes(tree, {{'M', "a", ""}, {'A', "c", ""}}));
  EXPECT_TRUE(apply_changes(tree, {{'R', "new", "a"}}));
  EXPECT_EQ(tree, (PathSet{"b", "c", "new"}));
  EXPECT_TRUE(apply_changes(tree, {{'D', "b", ""}}));
  EXPECT_EQ(tree, (PathSet{"c", "new"}));
}

// The cached tree rendering is the one picker_system_prompt shows, refreshed when the version moves.
TEST(GitTrace, TreeRenderCacheMatchesTheUncachedPrompt) {
  const PathSet one = {"src/a.js", "README.md", "bad\nname", "src/lib/b.js"};
  const PathSet two = {"src/a.js", "README.md"};
  const std::string prompt_one = picker_system_prompt("r", one, {});
  TreeRenderCache cache;
  const std::string first = cache.render(one, 7).text;
  EXPECT_NE(prompt_one.find(first), std::string::npos);
  EXPECT_EQ(first.find("bad"), std::string::npos) << "unrepresentable paths are left out";
  EXPECT_EQ(cache.render(two, 7).text, first) << "same version, same text";
  const std::string second = cache.render(two, 8).text;
  EXPECT_NE(picker_system_prompt("r", two, {}).find(second), std::string::npos);
  EXPECT_NE(second, first);
  EXPECT_EQ(cache.render(one, 0).text, first) << "version 0 is never cached";
  EXPECT_EQ(cache.render(two, 0).text, second);
}

// The trace payload is assembled from escaped pieces (the tree's escaped once per tree): it must
// be byte for byte what nlohmann writes for the same object, its system prompt exactly
// picker_system_prompt's, with quotes, backslashes, tabs and non-ASCII text in every piece.
TEST(GitTrace, PayloadBuiltFromEscapedPiecesIsTheJsonOfThePrompt) {
  GitCommit c;
  c.hash = "0123456789abcdef0123456789abcdef01234567";
  c.commit_time = 1700000000;
  c.author_name = "Ana";
  c.author_email = "ana@example.com";
  c.message = "Fix \"quoted\" path\\name\twith tab and caf\xc3\xa9";
  c.changes = {{'M', "src/\"q\".js", ""}};
  const PathSet tree = {"src/\"q\".js", "back\\slash.txt", "caf\xc3\xa9/menu.md", "tab\tname.txt", "README.md"};
  const std::vector<RecentCommit> recent = {{"Add \"menu\"\\x", {{'A', "caf\xc3\xa9/menu.md"}}},
                                            {"Older", {{'M', "README.md"}, {'D', "gone.txt"}}}};
  std::vector<std::shared_ptr<const RecentCommit>> shared;
  for (const auto& r : recent) shared.push_back(std::make_shared<const RecentCommit>(r));
  HistoryStep step{c, 3, 1, true, tree, shared, 42};
  GitTraceOptions o;
  o.repo_name = "my \"repo\"\\x";
  TreeRenderCache cache;
  for (TreeRenderCache* trees : {static_cast<TreeRenderCache*>(nullptr), &cache, &cache}) {
    GitTraceResult r = build_git_trace(step, o, trees);
    ASSERT_TRUE(r.rows.has_value());
    const nlohmann::ordered_json p = nlohmann::ordered_json::parse(r.rows->trace.payload);
    EXPECT_EQ(p["system"], picker_system_prompt(o.repo_name, tree, recent));
    EXPECT_EQ(p.dump(), r.rows->trace.payload) << "the bytes nlohmann writes";
  }
}

}  // namespace
}  // namespace pt
