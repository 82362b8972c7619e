// Tests of quickstart's closing block (report/next_steps.h): outputs, how to open the report,
// the three next commands, and PATH advice that depends on whether picktune is on the PATH.
#include "report/next_steps.h"

#include <gtest/gtest.h>

namespace {

pt::NextStepsInput input(bool on_path) {
  pt::NextStepsInput in;
  in.out_dir = "picktune-out";
  in.paths.store = "sqlite:picktune-out/picktune.db";
  in.paths.tuning_prefix = "picktune-out/tuning";
  in.paths.student_model = "picktune-out/student.model";
  in.paths.report = "picktune-out/report.html";
  in.report_abs = "/home/me/picktune-out/report.html";
  in.binary = "/src/picktune/build/picktune";
  in.on_path = on_path;
  return in;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(NextSteps, NamesOutputsReportAndTheThreeNextCommands) {
  std::string s = pt::render_next_steps(input(true));
  EXPECT_TRUE(has(s, "picktune-out/tuning.jsonl, picktune-out/tuning-validation.jsonl")) << s;
  EXPECT_TRUE(has(s, "picktune-out/student.model")) << s;
  EXPECT_TRUE(has(s, "file:///home/me/picktune-out/report.html")) << s;
  EXPECT_TRUE(has(s, "1. your own repository:  picktune --store sqlite:picktune-out/picktune.db import git ")) << s;
  EXPECT_TRUE(has(s, "2. a real teacher:")) << s;
  EXPECT_TRUE(has(s, "relabel --teacher anthropic:")) << s;
  EXPECT_TRUE(has(s, "3. browse it all:        picktune --store sqlite:picktune-out/picktune.db serve")) << s;
  EXPECT_TRUE(has(s, "is on your PATH")) << s;
  EXPECT_FALSE(has(s, "ln -sf")) << s;
}

TEST(NextSteps, OffThePathCommandsUseTheFullPathAndSayHowToLinkIt) {
  std::string s = pt::render_next_steps(input(false));
  EXPECT_TRUE(has(s, "/src/picktune/build/picktune --store sqlite:picktune-out/picktune.db import git")) << s;
  EXPECT_TRUE(has(s, "not on your PATH")) << s;
  EXPECT_TRUE(has(s, "ln -sf /src/picktune/build/picktune /usr/local/bin/picktune")) << s;
}

}  // namespace
