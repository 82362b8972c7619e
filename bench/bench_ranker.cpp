// Benchmarks of the local student (issue 7) and its quality comparison.
//   bench_ranker                       speed: rank one request over a 10,000-file tree (< 5 ms),
//                                      the same with the tree's contents (< 10 ms; content scores
//                                      by the per-tree index vs by scan, in the same run),
//                                      train on 5,000 traces (< 30 s), the same on 1 and 2 threads
//                                      (>= 1.7x), load a model file (< 100 ms)
//   bench_ranker --quality=STORE_URI [--holdout=0.2] [--model=PATH]
//                                      on a store filled by `import git`: trains the student
//                                      exactly as `student train --teacher truth` does, then scores
//                                      it, local:bm25 and the four-feature logistic baseline on the
//                                      newest F of the traces against truth (95% bootstrap CIs).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "core/metrics.h"
#include "core/picker_call.h"
#include "pipeline/student/student_train.h"
#include "providers/model.h"
#include "ranker/baseline_lr.h"
#include "ranker/student_trainer.h"
#include "ranker/synthetic_contents.h"
#include "ranker/synthetic_history.h"
#include "report/student_summary.h"
#include "store/store.h"

namespace {

using namespace pt;
using namespace pt::ranker;

std::unique_ptr<StudentModel> train_synthetic(const synthetic::History& h, size_t n, StudentTrainSummary* summary,
                                              int threads = 1) {
  StudentTrainOptions options;
  options.gbdt.threads = threads;
  StudentTrainer t(options);
  const size_t tune_from = n - n * 15 / 100;
  for (size_t c = 0; c < n; ++c) t.add(synthetic::view(h, c), h.commits[c].changed, c >= tune_from);
  return t.finish(StudentMeta{"truth", 0, 0, 0, "bench"}, summary);
}

// One request over a 10,000-file tree: parse the tree and recent commits out of the prompt,
// pick candidates, compute features, score, cut the answer.
void BM_RankTenThousandFiles(benchmark::State& state) {
  static const synthetic::History h = synthetic::make_history(10000, 1200, 21);
  static const auto model = train_synthetic(h, 1000, nullptr);
  static const auto rows = synthetic::trace_rows(h);
  auto call = parse_picker_call(rows[2 * 1100].payload);
  size_t answered = 0;
  for (auto _ : state) {
    auto answer = model->rank(*call, 0);
    answered += answer.size();
    benchmark::DoNotOptimize(answer.data());
  }
  state.counters["tree_files"] = static_cast<double>(h.files.size());
  state.counters["files_answered"] = static_cast<double>(answered) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RankTenThousandFiles)->Unit(benchmark::kMillisecond);

// The same request shape with the contents of the 10,000-file tree (300 lines per file) and an
// issue-style request (a title, a traceback): content BM25, defined names and frames join the
// features (issue 21: < 10 ms per request). The tree's inverted index is built before timing (on
// a served tree it is built on the tree's third request).
struct ContentsFixture {
  synthetic::History h = synthetic::make_history(10000, 1200, 21);
  std::unique_ptr<StudentModel> model = train_synthetic(h, 1000, nullptr);
  RepoContents repo;
  TraceView view;
  ContentsFixture() {
    repo.add_files_tree("t", synthetic::file_contents(h.files, 300, 77));
    view = make_trace_view(synthetic::system_prompt(h, 1100), synthetic::issue_request(h.files, 5));
    view.tree = repo.tree("t");
  }
};
ContentsFixture& contents_fixture() {
  static ContentsFixture f;
  return f;
}

void BM_RankTenThousandFilesWithContents(benchmark::State& state) {
  auto& f = contents_fixture();
  f.repo.score(f.view.tree.get(), f.view.files, f.view.words, f.view.identifiers, RepoContents::IndexUse::kIndexNow);
  size_t candidates = 0;
  for (auto _ : state) {
    auto scored = f.model->score(f.view);
    candidates += scored.size();
    benchmark::DoNotOptimize(scored.data());
  }
  state.counters["tree_files"] = static_cast<double>(f.view.files.size());
  state.counters["query_terms"] = static_cast<double>(f.view.words.size());
  state.counters["candidates"] = static_cast<double>(candidates) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RankTenThousandFilesWithContents)->Unit(benchmark::kMillisecond);

// The content scores alone, 0: by scanning each file's terms (the peer), 1: by the tree's index.
void BM_ContentScores(benchmark::State& state) {
  auto& f = contents_fixture();
  const auto use = state.range(0) ? RepoContents::IndexUse::kIndexNow : RepoContents::IndexUse::kNever;
  f.repo.score(f.view.tree.get(), f.view.files, f.view.words, f.view.identifiers, use);
  for (auto _ : state) {
    auto s = f.repo.score(f.view.tree.get(), f.view.files, f.view.words, f.view.identifiers, use);
    benchmark::DoNotOptimize(s.bm25.data());
  }
}
BENCHMARK(BM_ContentScores)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Building one 10,000-file tree's index (once per tree id).
void BM_BuildTreeIndex(benchmark::State& state) {
  auto& f = contents_fixture();
  for (auto _ : state) {
    auto t = f.repo.tree("t");
    auto copy = std::make_shared<TreeFiles>();
    copy->repo = t->repo;
    copy->blob_of = t->blob_of;
    f.repo.score(copy.get(), f.view.files, f.view.words, f.view.identifiers, RepoContents::IndexUse::kIndexNow);
  }
}
BENCHMARK(BM_BuildTreeIndex)->Unit(benchmark::kMillisecond)->Iterations(3);

// Training on 5,000 traces of a 300-file repository (the size of the express sample):
// candidate features with time-ordered statistics, LambdaMART fit with early stopping, refit.
void BM_TrainFiveThousandTraces(benchmark::State& state) {
  const synthetic::History h = synthetic::make_history(300, 5000, 5);
  for (auto _ : state) {
    StudentTrainSummary summary;
    auto model = train_synthetic(h, 5000, &summary);
    state.counters["trees"] = summary.gbdt.trees;
    state.counters["rows"] = static_cast<double>(summary.fit_rows + summary.tune_rows);
    benchmark::DoNotOptimize(model.get());
  }
}
BENCHMARK(BM_TrainFiveThousandTraces)->Unit(benchmark::kSecond)->Iterations(1)->MeasureProcessCPUTime()->UseRealTime();

// The same training with the learner on N threads (issue 22 item 4: 2 threads >= 1.7x 1 thread);
// the trees are the same for every N, so only the time may differ.
void BM_TrainThreads(benchmark::State& state) {
  static const synthetic::History h = synthetic::make_history(300, 5000, 5);
  for (auto _ : state) {
    StudentTrainSummary summary;
    auto model = train_synthetic(h, 5000, &summary, static_cast<int>(state.range(0)));
    state.counters["trees"] = summary.gbdt.trees;
    benchmark::DoNotOptimize(model.get());
  }
}
BENCHMARK(BM_TrainThreads)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_LoadModelFile(benchmark::State& state) {
  static const synthetic::History h = synthetic::make_history(300, 3000, 9);
  static const std::string model = train_synthetic(h, 3000, nullptr)->serialize();
  const std::string path = (std::filesystem::temp_directory_path() / "bench_ranker_model.json").string();
  std::ofstream(path) << model;
  for (auto _ : state) {
    auto m = StudentModel::load(path);
    if (!m.ok()) state.SkipWithError(m.error().message.c_str());
    benchmark::DoNotOptimize(m);
  }
  state.counters["file_bytes"] = static_cast<double>(model.size());
  std::remove(path.c_str());
}
BENCHMARK(BM_LoadModelFile)->Unit(benchmark::kMillisecond);

// ---- quality comparison on an imported git history ----

struct Scores {
  std::vector<double> recall5, mrr, jaccard, files;
  void add(const std::vector<std::string>& ranked, const std::vector<std::string>& answer,
           const std::vector<std::string>& truth) {
    RankedHits h = match_paths(ranked, truth);
    recall5.push_back(recall_at(h, 5));
    mrr.push_back(reciprocal_rank(h));
    h = match_paths(answer, truth);
    jaccard.push_back(pt::jaccard(h));
    files.push_back(static_cast<double>(answer.size()));
  }
};

std::string cell(const std::vector<double>& v, std::string_view series) {
  BootstrapOptions o;
  o.seed = series_seed(o.seed, series);
  MeanCI m = bootstrap_mean(v, o);
  return fmt::format("{:.3f} [{:.3f}, {:.3f}]", m.mean, m.lo, m.hi);
}

int run_quality(const std::string& uri, double holdout, const std::string& model_path) {
  auto store = open_store(StoreOptions{uri, "dev"});
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.error().message.c_str()), 1;
  StudentTrainConfig config;
  config.teacher = "truth";
  config.holdout_newest = holdout;
  config.output = model_path;
  auto t0 = std::chrono::steady_clock::now();
  auto report = student_train(**store, config);
  if (!report.ok()) return std::fprintf(stderr, "%s\n", report.error().message.c_str()), 1;
  double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fputs(format_student_train_report(*report).c_str(), stdout);
  auto t_load = std::chrono::steady_clock::now();
  auto model = StudentModel::load(model_path);
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.error().message.c_str()), 1;
  double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_load).count();

  // The same traces, oldest first, joined with truth by trace id (as `import git` writes them).
  std::unordered_map<std::string, std::vector<std::string>> truth;
  std::vector<std::pair<std::string, std::string>> traces;  // id, payload
  RowFilter rf, tf;
  rf.model = std::string(kTruthModel);
  tf.type = std::string(kGetRelevantFiles);
  tf.order = RowFilter::Order::oldest_first;
  auto read = (*store)->scan(Table::relabels, rf, [&](Row&& r) {
    nlohmann::json j = nlohmann::json::parse(r.payload);
    truth[j.value("trace_id", "")] = parse_file_list(j.value("output", ""));
    return true;
  });
  if (read.ok())
    read = (*store)->scan(Table::traces, tf, [&](Row&& r) {
      if (truth.count(r.id)) traces.push_back({r.id, std::move(r.payload)});
      return true;
    });
  if (!read.ok()) return std::fprintf(stderr, "%s\n", read.error().message.c_str()), 1;
  const size_t n = traces.size(), n_hold = static_cast<size_t>(std::llround(holdout * static_cast<double>(n)));
  baseline::LrTrainer lr_trainer;
  for (size_t i = 0; i + n_hold < n; ++i) {
    auto call = parse_picker_call(traces[i].second);
    lr_trainer.add(make_trace_view(*call), truth[traces[i].first]);
  }
  auto lr = lr_trainer.fit();
  auto bm25 = make_local_model("local:bm25");
  Scores student, base, logistic;
  for (size_t i = n - n_hold; i < n; ++i) {
    auto call = parse_picker_call(traces[i].second);
    const auto& t = truth[traces[i].first];
    TraceView v = make_trace_view(*call);
    std::vector<std::string> ranked;
    for (const auto& f : (*model)->score(v)) ranked.push_back(f.path);
    student.add(ranked, (*model)->rank(*call, 0), t);
    auto answer = parse_file_list((*bm25)->answer(TeacherInput{&*call, ""})->text);
    base.add(answer, answer, t);
    auto lr_ranked = baseline::lr_rank(lr, lr_trainer.stats(), v, 10);
    logistic.add(lr_ranked,
                 std::vector<std::string>(lr_ranked.begin(), lr_ranked.begin() + std::min<size_t>(5, lr_ranked.size())),
                 t);
  }
  PairedDiff d = compare_paired(student.recall5, logistic.recall5, BootstrapOptions{});
  std::printf(
      "\nheld out: newest %zu of %zu traces; student training (features + fit + write) %.1f s; model load %.1f ms\n",
      n_hold, n, train_s, load_ms);
  std::printf("| model | recall@5 | MRR | Jaccard | files answered |\n|---|---|---|---|---|\n");
  auto row = [&](const char* name, const Scores& s) {
    double files = 0;
    for (double f : s.files) files += f;
    std::printf("| %s | %s | %s | %s | %.2f |\n", name, cell(s.recall5, std::string(name) + "/r5").c_str(),
                cell(s.mrr, std::string(name) + "/mrr").c_str(), cell(s.jaccard, std::string(name) + "/j").c_str(),
                files / static_cast<double>(s.files.size()));
  };
  row("student", student);
  row("local:bm25", base);
  row("logistic (4 features)", logistic);
  std::printf("\nstudent - logistic, recall@5 (paired bootstrap): %+.3f [%+.3f, %+.3f]; wins/ties/losses %zu/%zu/%zu\n",
              d.diff.mean, d.diff.lo, d.diff.hi, d.wins, d.ties, d.losses);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string quality, model_path = "/tmp/bench_ranker_student.json";
  double holdout = 0.2;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--quality=", 0) == 0) quality = std::string(a.substr(10));
    if (a.rfind("--holdout=", 0) == 0) holdout = std::stod(std::string(a.substr(10)));
    if (a.rfind("--model=", 0) == 0) model_path = std::string(a.substr(8));
  }
  if (!quality.empty()) return run_quality(quality, holdout, model_path);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
