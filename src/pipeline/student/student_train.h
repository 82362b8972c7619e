// `student train`: the student ranker trained from the store. Targets are the teacher's relabels
// joined to `get-relevant-files` traces exactly as collect joins them (agent step + request kind;
// `truth` = git ground truth). Traces are taken oldest first; the newest fraction F is held out
// (never seen by training, not even by its statistics) and the model's metrics on it are
// reported with bootstrap CIs next to local:bm25's on the same traces. The model file is written
// atomically. Trained on several stores (one repository's history each), every store keeps its own
// held-out window and fit / tune split, and the model is a general one using no history.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/picker_call.h"
#include "core/recipe.h"
#include "pipeline/join/teacher_answers.h"
#include "ranker/student_trainer.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/result.h"

namespace pt {

struct StudentTrainConfig {
  std::string teacher;                   // relabel model id, or "truth"
  std::optional<std::string> recipe_id;  // take request kinds / top_k / with_context from the registry
  Recipe recipe;                         // used when recipe_id is unset
  std::string registry_path;             // "" -> default_registry_path()
  double holdout_newest = 0.2;           // 0 <= F < 1
  double tune_fraction = 0.15;           // newest share of the training traces used to stop / calibrate
  uint64_t seed = 1;
  int threads = 0;           // training threads, 0 = every core; the model depends on the seed, not on this
  std::optional<int> top_k;  // fixed answer length instead of the calibrated one
  // Choose the learner's hyper-parameters among ranker::default_hyper_grid by recall@5 on the tune
  // traces (the newest share of the training window, never the held-out window); recorded in
  // the model's provenance. false: the defaults, no search (--no-hyper-search).
  bool hyper_search = true;
  std::string output;  // model file
  // Train on (and hold out from) only the traces created in [since, until) (--since/--until).
  std::optional<int64_t> since_us, until_us;
  // A repository or bundle holding the traces' commits: gives the student (and the
  // local:bm25-content baseline) the contents of each trace's parent tree. "" -> paths only.
  // (The single-store student_train's; with several stores, StudentTrainSource::repo.)
  std::string repo;
  Progress* feature_progress = nullptr;              // traces turned into features (the long pass); null -> none
  Progress* fit_progress = nullptr;                  // trees fitted (ranker::StudentTrainer::finish); null -> none
  std::function<void(const std::string&)> progress;  // one line per phase; null -> silent
};

struct ModelMetrics {
  MeanCI recall5, mrr, jaccard, files;
};

// One store's share of a training run.
struct StudentStoreCounts {
  std::string store;  // Store::describe()
  int64_t traces_read = 0, joined = 0, train = 0, tune = 0, holdout = 0;
};

struct StudentTrainReport {
  std::string teacher, output;
  std::vector<StudentStoreCounts> stores;  // the counts below are their sums
  int64_t traces_read = 0, joined = 0, train = 0, tune = 0, holdout = 0;
  std::map<std::string, int64_t> dropped;  // reason -> traces
  ranker::StudentTrainSummary summary;
  ModelMetrics student, bm25;  // on the holdout (n == 0 when F == 0)
  ModelMetrics bm25_content;   // local:bm25-content on the holdout (n == 0 without a repo)
  double seconds_contents = 0, seconds_features = 0, seconds_fit = 0;
};

Result<StudentTrainReport> student_train(Store& store, const StudentTrainConfig& config);

// A store to train on (one repository's history) and optionally the repository or bundle holding
// its commits ("" -> paths only; every store gets one, or none does).
struct StudentTrainSource {
  Store* store = nullptr;
  std::string repo;
};
// Several stores at once: each store's traces are one history for the trainer
// (ranker::StudentTrainer::begin_history: nothing of one store reaches another's features), each
// store holds out its own newest F and splits its own fit / tune traces; one ensemble is fitted on
// all of them. With more than one
// store the model is a general one: it is trained and answers with no history statistics (every
// repository is a cold start; ranker::StudentTrainOptions::no_history), and its provenance lists
// every store. One store: the same as student_train(store, config).
Result<StudentTrainReport> student_train(const std::vector<StudentTrainSource>& sources,
                                         const StudentTrainConfig& config);

// One trace as training sees it: joined with the teacher's relabel (core/relabel_join, as collect
// joins it) into target files, or the reason it is left out (a collect drop reason).
struct StudentExample {
  PickerCall call;
  std::string relabel_id;  // the joined relabel
  std::vector<std::string> targets;
  const char* dropped = nullptr;
};
StudentExample join_student_example(const TeacherAnswers& answers, const Recipe& recipe, const Row& row);

}  // namespace pt
