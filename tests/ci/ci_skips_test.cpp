// Issue 17: under CI=true a test that needs PostgreSQL cannot pass by skipping. Runs the built
// PostgreSQL test binaries with PICKTUNE_TEST_PG_URI unset: with CI=true they must exit non-zero
// and name the tests that could not run; without CI they skip (exit 0), saying why in one line.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int rc = -1;
  std::string out;
};

Outcome run(const std::string& cmd) {
  Outcome r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A test binary built next to picktune (ctest builds every target first).
std::string sibling(const std::string& name) { return (fs::path(PICKTUNE_BINARY).parent_path() / name).string(); }

TEST(CiSkips, PostgresTestsFailUnderCiWhenTheServerIsAbsent) {
  for (const char* binary : {"test_store_postgres", "test_store_conformance"}) {
    std::string path = sibling(binary);
    ASSERT_TRUE(fs::exists(path)) << path << " not built";
    Outcome ci = run("env -u PICKTUNE_TEST_PG_URI CI=true " + path);
    EXPECT_NE(ci.rc, 0) << binary << " passed under CI=true without a PostgreSQL server:\n" << ci.out;
    EXPECT_NE(ci.out.find("[  FAILED  ]"), std::string::npos) << ci.out;
    EXPECT_EQ(ci.out.find("[  SKIPPED ]"), std::string::npos) << "a skip under CI=true:\n" << ci.out;
    EXPECT_NE(ci.out.find("PICKTUNE_TEST_PG_URI"), std::string::npos) << "the failure should say what is missing";

    Outcome local = run("env -u PICKTUNE_TEST_PG_URI -u CI " + path);
    EXPECT_EQ(local.rc, 0) << local.out;
    EXPECT_NE(local.out.find("[  SKIPPED ]"), std::string::npos) << local.out;
  }
}

TEST(CiSkips, NamesTheTestsThatCouldNotRun) {
  Outcome ci = run("env -u PICKTUNE_TEST_PG_URI CI=true " + sibling("test_store_postgres"));
  EXPECT_NE(ci.out.find("[  FAILED  ] PostgresStore."), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("[  FAILED  ] PostgresCli."), std::string::npos) << ci.out;
}

}  // namespace
