// util/progress.h: off a terminal, one plain line per period with count, share, rate and ETA, none
// for a run shorter than the period; on a terminal, a bar redrawn in place; the line texts.
#include "util/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace pt {
namespace {

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(Progress, PlainLineEveryPeriodWithRateAndEta) {
  std::FILE* f = std::tmpfile();
  double now = 100;
  {
    ProgressPrinter p(f, "import git", "commits", false, 5.0, [&] { return now; });
    now = 102;
    p.update(50, 300);  // before the first period: nothing
    now = 105;
    p.update(100, 300);  // 100 in 5 s = 20/s; 200 left = 10 s
    now = 107;
    p.update(140, 300);  // within the period: nothing
    now = 111;
    p.update(220, 300);
    now = 112;
    p.finish(300);
  }
  EXPECT_EQ(read_all(f),
            "import git: 100/300 commits (33%), 20.0 commits/s, ETA 10 s\n"
            "import git: 220/300 commits (73%), 20.0 commits/s, ETA 4 s\n"
            "import git: done, 300 commits in 12 s\n");
  std::fclose(f);
}

TEST(Progress, ShortRunOffATerminalPrintsNothing) {
  std::FILE* f = std::tmpfile();
  double now = 0;
  ProgressPrinter p(f, "collect", "traces", false, 5.0, [&] { return now; });
  now = 1;
  p.update(10, 0);
  now = 2;
  p.finish(20);
  EXPECT_EQ(read_all(f), "");
  std::fclose(f);
}

TEST(Progress, TerminalBarRedrawsInPlace) {
  std::FILE* f = std::tmpfile();
  double now = 0;
  ProgressPrinter p(f, "student train", "traces", true, 5.0, [&] { return now; });
  now = 1;
  p.update(25, 100);
  now = 1.05;
  p.update(26, 100);  // redrawn at most ten times a second
  now = 2;
  p.finish(100);
  std::string out = read_all(f);
  EXPECT_EQ(out.find("26/100"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\033[Kstudent train [######                  ]  25%  25/100 traces  25.0/s  ETA 3 s"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("100/100 traces  50.0/s\n"), std::string::npos) << out;
  std::fclose(f);
}

TEST(Progress, LinesWithoutATotal) {
  EXPECT_EQ(ProgressPrinter::plain_line("import jsonl", "rows", 5000, 0, 2), "import jsonl: 5000 rows, 2500.0 rows/s");
  EXPECT_EQ(ProgressPrinter::bar_line("import jsonl", "rows", 5000, 0, 2), "import jsonl  5000 rows  2500.0/s");
}

}  // namespace
}  // namespace pt
