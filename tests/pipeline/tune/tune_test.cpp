// Tests for tuning jobs against the loopback fakes: submit -> wait -> registry updated, for
// Vertex AI (GCS upload + tuningJobs, service-account auth) and OpenAI (Files + fine_tuning),
// the failed-job path with the provider's message, and refusals that protect a paid job.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/registry/registry_file.h"
#include "pipeline/tune/tune_jobs.h"
#include "source_dir.h"
#include "support/fakes/fake_tuning.h"
#include "support/fakes/test_keys.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

// One sample per line in each provider's tuning format (docs/formats.md#tuning-records).
const std::string kGeminiLine =
    R"({"contents":[{"role":"user","parts":[{"text":"Fix the parser"}]},{"role":"model","parts":[{"text":"src/a.ts"}]}]})";
const std::string kOpenAiLine =
    R"({"messages":[{"role":"user","content":"Fix the parser"},{"role":"assistant","content":"src/a.ts"}]})";
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TuneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("picktune-tune-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    fs::copy_file(fs::path(PICKTUNE_SOURCE_DIR) / "data/finetunes.json", dir_ / "finetunes.json");
    write(dir_ / "data.jsonl", kGeminiLine + "\n" + kGeminiLine + "\n");
    write(dir_ / "data-validation.jsonl", kGeminiLine + "\n");
    write(dir_ / "data.manifest.json",
          R"({"samples": 2, "validation_samples": 1, "teacher": "truth", "tokens": {"train": 1234, "total": 1500}})");
  }
  void TearDown() override {
    for (const char* v : {"GOOGLE_APPLICATION_CREDENTIALS", "GCS_BASE_URL", "VERTEX_BASE_URL", "VERTEX_PROJECT",
                          "OPENAI_BASE_URL", "OPENAI_API_KEY"})
      ::unsetenv(v);
    fs::remove_all(dir_);
  }
  void point_at(const fake::FakeTuning& fake) {
    json sa = {{"type", "service_account"},
               {"project_id", "demo-project"},
               {"private_key_id", "k1"},
               {"private_key", pt::fake::test_private_key_pem()},
               {"client_email", "tuner@demo-project.iam.gserviceaccount.com"},
               {"token_uri", fake.base_url() + "/token"}};
    write(dir_ / "sa.json", sa.dump());
    ::setenv("GOOGLE_APPLICATION_CREDENTIALS", (dir_ / "sa.json").c_str(), 1);
    ::setenv("GCS_BASE_URL", fake.base_url().c_str(), 1);
    ::setenv("VERTEX_BASE_URL", fake.base_url().c_str(), 1);
    ::setenv("OPENAI_BASE_URL", (fake.base_url() + "/v1").c_str(), 1);
    ::setenv("OPENAI_API_KEY", "sk-test-tuning-key", 1);
  }
  TuneSubmitOptions options(const std::string& provider) {
    TuneSubmitOptions o;
    o.new_id = "ft_filepicker_test_001";
    o.provider = provider;
    o.train_file = (dir_ / "data.jsonl").string();
    o.validation_file = (dir_ / "data-validation.jsonl").string();
    o.epochs = 2;
    o.adapter_size = "max";
    o.bucket = "picktune-data";
    o.registry_path = (dir_ / "finetunes.json").string();
    o.today = "2026-11-25";
    return o;
  }
  fs::path dir_;
};

TEST_F(TuneTest, VertexSubmitWaitRecordsTheEndpoint) {
  fake::FakeTuning fake;
  point_at(fake);
  auto submitted = tune_submit(options("vertex"));
  ASSERT_TRUE(submitted.ok()) << submitted.error().message;
  EXPECT_EQ(submitted->status, "pending");
  EXPECT_EQ(submitted->train_samples, 2);
  EXPECT_EQ(submitted->tokens, 1234);
  EXPECT_EQ(submitted->teacher, "truth");

  auto uploads = fake.uploads();
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_EQ(uploads[0].where, "gcs:picktune-data/picktune/data.jsonl");
  EXPECT_EQ(uploads[0].content, slurp(dir_ / "data.jsonl"));
  json job = json::parse(fake.created_job_bodies().at(0));
  EXPECT_EQ(job["baseModel"], "gemini-2.0-flash-001");
  EXPECT_EQ(job["supervisedTuningSpec"]["trainingDatasetUri"], "gs://picktune-data/picktune/data.jsonl");
  EXPECT_EQ(job["supervisedTuningSpec"]["validationDatasetUri"], "gs://picktune-data/picktune/data-validation.jsonl");
  EXPECT_EQ(job["supervisedTuningSpec"]["hyperParameters"]["epochCount"], "2");
  EXPECT_EQ(job["supervisedTuningSpec"]["hyperParameters"]["adapterSize"], "ADAPTER_SIZE_SIXTEEN");

  std::vector<std::string> seen;
  auto done = tune_wait(options("vertex").registry_path, "ft_filepicker_test_001", 0.01, 30,
                        [&](const TuneJobState& s) { seen.push_back(s.state); });
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"pending", "running", "running", "succeeded"}));
  auto reg = load_registry(options("vertex").registry_path);
  ASSERT_TRUE(reg.ok());
  const Finetune* f = reg->find("ft_filepicker_test_001");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->endpoint_id, "4242424242");
  EXPECT_EQ(f->status, "succeeded");
  EXPECT_EQ(reg->finetunes.size(), 9u);  // the eight shipped entries are kept
}

TEST_F(TuneTest, OpenAiSubmitWaitRecordsTheModel) {
  fake::FakeTuning fake;
  point_at(fake);
  write(dir_ / "data.jsonl", kOpenAiLine + "\n" + kOpenAiLine + "\n");
  write(dir_ / "data-validation.jsonl", kOpenAiLine + "\n");
  auto submitted = tune_submit(options("openai"));
  ASSERT_TRUE(submitted.ok()) << submitted.error().message;
  EXPECT_EQ(submitted->base_model, "gpt-4.1-mini-2025-04-14");
  json job = json::parse(fake.created_job_bodies().at(0));
  EXPECT_EQ(job["training_file"], "file-1");
  EXPECT_EQ(job["validation_file"], "file-2");
  EXPECT_EQ(job["method"]["type"], "supervised");  // issue 17: the current shape, not top-level
  EXPECT_EQ(job["method"]["supervised"]["hyperparameters"]["n_epochs"], 2);
  EXPECT_FALSE(job.contains("hyperparameters"));
  auto done = tune_wait(options("openai").registry_path, "ft_filepicker_test_001", 0.01, 30, nullptr);
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto reg = load_registry(options("openai").registry_path);
  EXPECT_EQ(reg->find("ft_filepicker_test_001")->tuned_model, "ft:gpt-4.1-mini-2025-04-14:picktune::abc123");
}

TEST_F(TuneTest, FailedJobReportsTheProvidersMessage) {
  fake::FakeTuning fake({.fail_jobs = true});
  point_at(fake);
  ASSERT_TRUE(tune_submit(options("vertex")).ok());
  auto done = tune_wait(options("vertex").registry_path, "ft_filepicker_test_001", 0.01, 30, nullptr);
  ASSERT_FALSE(done.ok());
  EXPECT_NE(done.error().message.find("example 3 has no model turn"), std::string::npos) << done.error().message;
  EXPECT_EQ(load_registry(options("vertex").registry_path)->find("ft_filepicker_test_001")->status, "failed");
}

TEST_F(TuneTest, RefusesWhatWouldWasteAJob) {
  fake::FakeTuning fake;
  point_at(fake);
  auto o = options("vertex");
  o.validation_file = o.train_file;
  auto same = tune_submit(o);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("validation file is the training file"), std::string::npos);
  o = options("vertex");
  o.new_id = "ft_filepicker_008";
  EXPECT_NE(tune_submit(o).error().message.find("already exists"), std::string::npos);
  o = options("vertex");
  o.train_file = (dir_ / "missing.jsonl").string();
  EXPECT_NE(tune_submit(o).error().message.find("training file not found"), std::string::npos);
  o = options("vertex");
  o.adapter_size = "huge";
  EXPECT_NE(tune_submit(o).error().message.find("--adapter-size"), std::string::npos);
  EXPECT_TRUE(fake.created_job_bodies().empty());
  EXPECT_EQ(load_registry(o.registry_path)->finetunes.size(), 8u);
}

TEST_F(TuneTest, BadCredentialsNeverLeakTheKey) {
  fake::FakeTuning fake({.expect_bearer = "something-else"});
  point_at(fake);
  write(dir_ / "data.jsonl", kOpenAiLine + "\n" + kOpenAiLine + "\n");
  write(dir_ / "data-validation.jsonl", kOpenAiLine + "\n");
  auto r = tune_submit(options("openai"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("sk-test-tuning-key"), std::string::npos);
}

// Issue 20: a Gemini file to OpenAI (and the reverse), an empty file, or a malformed line is
// refused with FILE:LINE and the expected shape, before anything is uploaded.
TEST_F(TuneTest, RefusesDataInTheOtherProvidersFormatOrWithoutSamples) {
  fake::FakeTuning fake;
  point_at(fake);
  auto gemini_to_openai = tune_submit(options("openai"));
  ASSERT_FALSE(gemini_to_openai.ok());
  EXPECT_EQ(gemini_to_openai.error().kind, ErrorKind::usage);
  EXPECT_NE(gemini_to_openai.error().message.find((dir_ / "data.jsonl").string() + ":1: a Gemini line"),
            std::string::npos)
      << gemini_to_openai.error().message;
  EXPECT_NE(gemini_to_openai.error().message.find("\"messages\""), std::string::npos);

  write(dir_ / "data.jsonl", kOpenAiLine + "\n");
  write(dir_ / "data-validation.jsonl", kOpenAiLine + "\n");
  auto openai_to_vertex = tune_submit(options("vertex"));
  ASSERT_FALSE(openai_to_vertex.ok());
  EXPECT_NE(openai_to_vertex.error().message.find("data.jsonl:1: an OpenAI chat line"), std::string::npos)
      << openai_to_vertex.error().message;
  EXPECT_NE(openai_to_vertex.error().message.find("collect --format gemini"), std::string::npos);

  // The bad line is the second one, in the validation file.
  write(dir_ / "data-validation.jsonl", kOpenAiLine + "\n" + R"({"messages":[{"role":"user","content":"x"}]})" + "\n");
  auto no_answer = tune_submit(options("openai"));
  ASSERT_FALSE(no_answer.ok());
  EXPECT_NE(no_answer.error().message.find("data-validation.jsonl:2: the last message is not an \"assistant\""),
            std::string::npos)
      << no_answer.error().message;

  write(dir_ / "data.jsonl", "");
  auto empty = tune_submit(options("vertex"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("data.jsonl: 0 samples"), std::string::npos) << empty.error().message;

  EXPECT_TRUE(fake.uploads().empty());
  EXPECT_TRUE(fake.created_job_bodies().empty());
  EXPECT_EQ(load_registry(options("vertex").registry_path)->finetunes.size(), 8u);
}

// Issue 20: a recipe's teacher no longer silently replaces the manifest's.
TEST_F(TuneTest, RecipeAndManifestTeachersMustAgreeOrBeSettledByTeacherFlag) {
  fake::FakeTuning fake;
  point_at(fake);
  auto o = options("vertex");
  o.recipe = "ft_filepicker_008";  // its teacher is claude-opus-4-20250514; the manifest says truth
  Diagnostics diagnostics;
  o.diagnostics = &diagnostics;
  auto conflict = tune_submit(o);
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.error().message.find("teacher conflict"), std::string::npos) << conflict.error().message;
  EXPECT_NE(conflict.error().message.find("claude-opus-4-20250514"), std::string::npos);
  EXPECT_NE(conflict.error().message.find("data.manifest.json says the data was collected from truth"),
            std::string::npos)
      << conflict.error().message;
  EXPECT_TRUE(fake.uploads().empty());

  o.teacher = "truth";
  auto settled = tune_submit(o);
  ASSERT_TRUE(settled.ok()) << settled.error().message;
  EXPECT_EQ(settled->teacher, "truth");
  ASSERT_EQ(diagnostics.count("tune/teacher"), 1u);
  EXPECT_EQ(diagnostics.all().back().message, "teacher truth (from --teacher)");

  // Same teacher under a provider prefix: no conflict; the manifest's spelling is recorded.
  write(dir_ / "data.manifest.json", R"({"samples": 2, "teacher": "anthropic:claude-opus-4-20250514"})");
  o.teacher.clear();
  o.new_id = "ft_filepicker_test_002";
  auto agreed = tune_submit(o);
  ASSERT_TRUE(agreed.ok()) << agreed.error().message;
  EXPECT_EQ(agreed->teacher, "anthropic:claude-opus-4-20250514");
  EXPECT_NE(diagnostics.all().back().message.find("from " + (dir_ / "data.manifest.json").string()), std::string::npos)
      << diagnostics.all().back().message;
}

}  // namespace
}  // namespace pt
