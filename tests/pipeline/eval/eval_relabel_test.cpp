// Tests for pipeline/eval_relabel on a temporary SQLite store: registry ids resolve to their Vertex
// endpoint and are stored under the id as given (against the loopback fake Vertex), local models
// run on the newest fraction and resume, the validation side of a collect split is re-derived from
// its manifest (whole agent steps, recipe kinds), bad selections fail clearly, and the whole run's
// status counts answers over every model.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "pipeline/eval/eval_relabel.h"
#include "pipeline/eval/eval_score.h"
#include "pipeline/registry/registry_file.h"
#include "support/eval_rows.h"
#include "support/fakes/fake_llm.h"
#include "support/fakes/test_keys.h"

namespace pt {
namespace {

namespace fs = std::filesystem;
using test::make_relabel;
using test::make_trace;

class EnvVars {
 public:
  explicit EnvVars(std::map<std::string, std::string> vars) {
    for (auto& [k, v] : vars) {
      const char* old = std::getenv(k.c_str());
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
      setenv(k.c_str(), v.c_str(), 1);
    }
  }
  ~EnvVars() {
    for (auto& [k, v] : saved_) v ? (void)setenv(k.c_str(), v->c_str(), 1) : (void)unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class EvalRelabel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pt-evalrelabel-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = open_store({"sqlite:" + (dir_ / "p.db").string(), "dev"});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->init().ok());
    // 12 steps; each has a Key trace, odd steps also a Non-Obvious one; truth for the Key traces.
    std::vector<Row> traces, truth;
    std::vector<std::string> tree = {"lib/a.js", "lib/b.js", "lib/router.js", "test/a.js", "README.md"};
    for (int i = 0; i < 12; ++i) {
      std::string step = "s" + std::to_string(i);
      traces.push_back(
          make_trace(step + "k", step, "Key", 1000 + 10 * i, tree, "update the router " + std::to_string(i)));
      if (i % 2)
        traces.push_back(make_trace(step + "n", step, "Non-Obvious", 1001 + 10 * i, tree, "update the router"));
      truth.push_back(make_relabel("truth-" + step, "truth", step, "Key", "lib/router.js\ntest/a.js", step + "k"));
    }
    n_traces_ = traces.size();
    ASSERT_TRUE(store_->upsert(Table::traces, traces).ok());
    ASSERT_TRUE(store_->upsert(Table::relabels, truth).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  EvalRelabelOptions options(std::vector<std::string> models) {
    EvalRelabelOptions o;
    o.models = std::move(models);
    o.relabel.backoff_base_ms = 1;
    return o;
  }
  int64_t relabels_of(const std::string& model) {
    RowFilter f;
    f.model = model;
    return *store_->count(Table::relabels, f);
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  size_t n_traces_ = 0;
};

TEST_F(EvalRelabel, ResolvesRegistryIds) {
  EXPECT_EQ(*resolve_candidate("local:bm25", ""), "local:bm25");
  auto reg = load_registry(default_registry_path());
  ASSERT_TRUE(reg.ok()) << reg.error().message;
  const Finetune* f = reg->find("ft_filepicker_008");
  ASSERT_TRUE(f && f->endpoint_id);
  EXPECT_EQ(*resolve_candidate("ft_filepicker_008", ""), "vertex:" + *f->endpoint_id);
  auto bad = resolve_candidate("ft_nope", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_NE(bad.error().message.find("ft_filepicker_008"), std::string::npos) << bad.error().message;
}

TEST_F(EvalRelabel, LocalModelOnTheNewestFractionResumes) {
  auto o = options({"local:bm25"});
  o.newest = 0.5;
  auto r = run_eval_relabel(*store_, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto expected = static_cast<int64_t>(std::ceil(0.5 * static_cast<double>(n_traces_)));
  EXPECT_EQ(relabels_of("local:bm25"), expected);
  ASSERT_EQ(r->runs.size(), 1u);
  EXPECT_EQ(r->runs[0].summary.done, expected);
  r = run_eval_relabel(*store_, o);  // nothing left to do
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->runs[0].summary.done, 0);
  EXPECT_EQ(r->runs[0].summary.skipped_done, expected);
}

TEST_F(EvalRelabel, RegistryIdCallsItsVertexEndpointAndIsStoredAsGiven) {
  fake::FakeLlm server;
  fs::path sa = dir_ / "sa.json";
  std::ofstream(sa) << nlohmann::json{{"type", "service_account"},
                                      {"project_id", "p1"},
                                      {"private_key", pt::fake::test_private_key_pem()},
                                      {"client_email", "sa@p1.iam.gserviceaccount.com"},
                                      {"token_uri", server.base_url() + "/token"}}
                           .dump();
  EnvVars env({{"GOOGLE_APPLICATION_CREDENTIALS", sa.string()},
               {"VERTEX_BASE_URL", server.base_url()},
               {"VERTEX_PROJECT", "p1"}});
  auto o = options({"ft_filepicker_008", "local:bm25"});
  o.limit = 4;
  o.model.price_as = "free";
  auto r = run_eval_relabel(*store_, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->runs.size(), 2u);
  EXPECT_EQ(r->runs[0].resolved.rfind("vertex:", 0), 0u);
  EXPECT_EQ(relabels_of("ft_filepicker_008"), 4);
  EXPECT_EQ(relabels_of(r->runs[0].resolved), 0);
  auto endpoint = r->runs[0].resolved.substr(7);
  size_t to_endpoint = 0;
  for (const auto& c : server.calls())
    to_endpoint += c.path.find("/endpoints/" + endpoint + ":generateContent") != std::string::npos;
  EXPECT_EQ(to_endpoint, 4u);

  EvalScoreOptions so;
  so.models = {"ft_filepicker_008", "local:bm25"};
  so.reference = "truth";
  so.bootstrap.resamples = 100;
  auto s = run_eval_score(*store_, so);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->overall.models[0].n, s->overall.models[1].n);
  EXPECT_GT(s->overall.models[0].n, 0u);
}

TEST_F(EvalRelabel, SplitManifestSelectsWholeStepsOfTheRecipeKinds) {
  fs::path validation = dir_ / "data-validation.jsonl";
  std::ofstream(validation) << "{}\n";
  auto write_manifest = [&](double fraction, const std::string& kinds) {
    std::ofstream(dir_ / "data.manifest.json") << R"({"filters":{"request_kinds":)" << kinds
                                               << R"(,"since":null,"until":null},"split":{"validation_fraction":)"
                                               << fraction << R"(,"split_by":"step","seed":null}})";
  };
  write_manifest(0.5, R"(["Key","Non-Obvious"])");
  auto ids = validation_trace_ids(*store_, validation.string());
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  EXPECT_GT(ids->size(), 0u);
  EXPECT_LT(ids->size(), n_traces_);
  std::set<std::string> chosen(ids->begin(), ids->end());
  for (int i = 1; i < 12; i += 2) {  // both traces of a step fall on the same side
    std::string step = "s" + std::to_string(i);
    EXPECT_EQ(chosen.count(step + "k"), chosen.count(step + "n")) << step;
  }
  write_manifest(1.0, R"(["Key"])");
  ids = validation_trace_ids(*store_, validation.string());
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 12u);  // every Key trace, no Non-Obvious one

  auto o = options({"local:bm25"});
  o.split_file = validation.string();
  auto r = run_eval_relabel(*store_, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(relabels_of("local:bm25"), 12);

  write_manifest(1e-12, R"(["Key"])");
  r = run_eval_relabel(*store_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no stored trace falls on the validation side"), std::string::npos)
      << r.error().message;
}

// `eval score --split FILE` scores exactly the validation side of the split: every validation trace
// with a reference answer, and none of the train side, although the model answered all of them.
TEST_F(EvalRelabel, ScoreSplitScoresExactlyTheValidationTraces) {
  fs::path validation = dir_ / "data-validation.jsonl";
  std::ofstream(validation) << "{}\n";
  std::ofstream(dir_ / "data.manifest.json")
      << R"({"filters":{"request_kinds":["Key"],"since":null,"until":null},"split":{"validation_fraction":0.5,)"
      << R"("split_by":"step","seed":null}})";
  auto ids = validation_trace_ids(*store_, validation.string());
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  ASSERT_GT(ids->size(), 0u);
  ASSERT_LT(ids->size(), 12u);  // some Key traces are on the train side
  auto o = options({"local:bm25"});
  o.newest = 1.0;  // the model answers every trace, train side included
  ASSERT_TRUE(run_eval_relabel(*store_, o).ok());
  ASSERT_EQ(relabels_of("local:bm25"), static_cast<int64_t>(n_traces_));

  EvalScoreOptions so;
  so.models = {"local:bm25"};
  so.reference = "truth";
  so.bootstrap.resamples = 50;
  so.examples = 100;
  so.split_file = validation.string();
  auto s = run_eval_score(*store_, so);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->overall.models[0].n, ids->size());
  std::set<std::string> scored;
  for (const auto& e : s->disagreements) scored.insert(e.trace_id);
  EXPECT_EQ(scored, std::set<std::string>(ids->begin(), ids->end()));
  EXPECT_NE(s->selection.find("validation split"), std::string::npos) << s->selection;

  so.newest = 0.5;  // a split and a window at once is a usage error
  auto both = run_eval_score(*store_, so);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().kind, ErrorKind::usage);
  so.newest.reset();
  so.split_file = (dir_ / "missing-validation.jsonl").string();
  auto missing = run_eval_score(*store_, so);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing.manifest.json"), std::string::npos) << missing.error().message;
}

TEST_F(EvalRelabel, BadSelections) {
  auto o = options({"local:bm25"});
  o.split_file = (dir_ / "missing-validation.jsonl").string();
  auto r = run_eval_relabel(*store_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing.manifest.json"), std::string::npos) << r.error().message;
  o.split_file = (dir_ / "train.jsonl").string();
  EXPECT_EQ(run_eval_relabel(*store_, o).error().kind, ErrorKind::usage);
  o.split_file.reset();
  o.newest = 0;
  EXPECT_EQ(run_eval_relabel(*store_, o).error().kind, ErrorKind::usage);
  EXPECT_EQ(run_eval_relabel(*store_, options({})).error().kind, ErrorKind::usage);
  EXPECT_EQ(run_eval_relabel(*store_, options({"nonsense"})).error().kind, ErrorKind::usage);
}

// The whole run's status line (issue 20): answers over every model, done out of traces x models.
struct RecordingProgress final : Progress {
  int begins = 0;
  std::vector<std::pair<int64_t, int64_t>> updates;  // (done, total)
  std::vector<int64_t> finishes;
  void begin() override { ++begins; }
  void update(int64_t done, int64_t total) override { updates.emplace_back(done, total); }
  void finish(int64_t done) override { finishes.push_back(done); }
};

TEST_F(EvalRelabel, StatusCountsAnswersOverEveryModel) {
  fake::FakeLlm server;
  EnvVars env({{"GEMINI_API_KEY", "AIza-test-status-key"}, {"GEMINI_BASE_URL", server.base_url()}});
  auto o = options({"gemini:gemini-2.5-flash", "local:bm25"});
  o.limit = 6;
  o.model.price_as = "free";
  RecordingProgress status;
  int per_model_ticks = 0;
  o.progress = &status;
  o.relabel.on_progress = [&](const RelabelTick&) { ++per_model_ticks; };
  auto r = run_eval_relabel(*store_, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(per_model_ticks, 0) << "the per-model progress still hears every tick";
  ASSERT_EQ(r->runs.size(), 2u);
  EXPECT_EQ(r->runs[0].summary.done, 6) << "the fake answers every call";
  EXPECT_EQ(status.begins, 1);
  ASSERT_FALSE(status.updates.empty());
  int64_t last = 0;
  for (auto [done, total] : status.updates) {
    EXPECT_GE(done, last);
    EXPECT_LE(done, total);
    EXPECT_EQ(total, 12) << "6 traces x 2 models, the second counted at the first's size";
    last = done;
  }
  EXPECT_EQ(last, 12);
  EXPECT_EQ(status.finishes, std::vector<int64_t>{12});

  // A re-run has nothing left to do: the status ends at 0 answers.
  RecordingProgress again;
  o.progress = &again;
  ASSERT_TRUE(run_eval_relabel(*store_, o).ok());
  EXPECT_EQ(again.finishes, std::vector<int64_t>{0});
}

}  // namespace
}  // namespace pt
