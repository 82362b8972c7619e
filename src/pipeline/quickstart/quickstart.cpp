// Implementation of pipeline/quickstart/quickstart.h: calls each stage's pipeline entry point in
// turn, keeping what it returned, and tells the observer when a step starts and ends.
#include "pipeline/quickstart/quickstart.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "pipeline/collect/collect_options.h"
#include "pipeline/eval/eval_score.h"
#include "providers/model.h"
#include "source_dir.h"
#include "store/store.h"

namespace pt {
namespace {

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return runtime_error(fmt::format("{}: cannot create directory: {}", path, std::strerror(errno)));
  return ok();
}

class Steps {
 public:
  explicit Steps(QuickstartObserver* observer) : observer_(observer) {}
  void start(QuickstartStep step) {
    if (observer_) observer_->step_started(step);
    watch_ = Stopwatch();
  }
  void done(QuickstartStep step, QuickstartResult& r) { done(step, r, watch_.elapsed()); }
  // A step timed elsewhere (on another thread).
  void done(QuickstartStep step, QuickstartResult& r, const Elapsed& took) {
    r.step_times[static_cast<size_t>(step) - 1] = took;
    if (observer_) observer_->step_done(step, r);
  }
  // Since the last start().
  Elapsed overlap_elapsed() const { return watch_.elapsed(); }

 private:
  QuickstartObserver* observer_;
  Stopwatch watch_;
};

// with_context: the traces that have imported file context, answered again with it (what the
// registry's with_file_context recipes collect from).
Result<RelabelSummary> relabel_all_with_bm25(Store& store, bool with_context) {
  PT_ASSIGN_OR_RETURN(auto bm25, make_model("local:bm25", ModelOptions{}));
  RelabelOptions o;
  o.concurrency = 1;
  o.with_context = with_context;
  return run_relabel(store, *bm25, o);
}

Result<void> collect_tuning_data(Store& store, const QuickstartOptions& options, QuickstartResult& r) {
  PT_TRY(make_dir(options.out_dir + "/tuning"));
  CollectFlags flags;
  flags.teacher = "local:bm25";
  flags.output = options.out_dir + "/tuning/express-bm25";
  flags.validation_fraction = 0.1;
  PT_ASSIGN_OR_RETURN(r.collect_options, resolve_collect_options(flags));
  r.collect_options.diagnostics = options.diagnostics;
  PT_ASSIGN_OR_RETURN(r.collected, run_collect(store, r.collect_options));
  r.paths.tuning_prefix = r.collect_options.output_prefix;
  return ok();
}

Result<StudentTrainReport> train_student(Store& store, const std::string& model_path, double holdout,
                                         Progress* fit_progress) {
  StudentTrainConfig c;
  c.fit_progress = fit_progress;
  c.teacher = std::string(kTruthModel);
  c.holdout_newest = holdout;
  c.output = model_path;
  // The quickstart fits the default tree shape once: the validation search of `student train`
  // triples the fit for a gain within noise on the sample history (bench/NOTES.md), and the
  // quickstart's whole job has a time budget (issue 22).
  c.hyper_search = false;
  return student_train(store, c);
}

Result<EvalRelabelResult> eval_relabel_holdout(Store& store, const std::vector<std::string>& models, double holdout) {
  EvalRelabelOptions o;
  o.models = models;
  o.newest = holdout;
  o.relabel.concurrency = 1;
  return run_eval_relabel(store, o);
}

Result<EvalSummary> score(Store& store, const std::vector<std::string>& models, double holdout,
                          const std::string& command) {
  EvalScoreOptions o;
  o.command = command;
  o.models = models;
  o.reference = std::string(kTruthModel);
  o.newest = holdout;
  return run_eval_score(store, o);
}

// Steps 2 and 3 on their own connection to the store: relabel every trace with local:bm25 (without
// and with file context), then collect tuning data from those relabels. Warnings are kept in
// `diagnostics` for the caller to pass on in step order.
struct RelabelAndCollect {
  Result<void> status = ok();
  Elapsed relabel_time, collect_time;
  Diagnostics diagnostics;
};

void relabel_and_collect(const std::string& store_uri, const QuickstartOptions& options, QuickstartResult& r,
                         RelabelAndCollect& out) {
  auto run = [&]() -> Result<void> {
    PT_ASSIGN_OR_RETURN(auto store, open_store(StoreOptions{store_uri, "dev"}));
    Stopwatch relabel;
    PT_ASSIGN_OR_RETURN(r.relabeled, relabel_all_with_bm25(*store, false));
    PT_ASSIGN_OR_RETURN(r.relabeled_with_context, relabel_all_with_bm25(*store, true));
    out.relabel_time = relabel.elapsed();
    Stopwatch collect;
    QuickstartOptions o = options;
    o.diagnostics = &out.diagnostics;
    PT_TRY(collect_tuning_data(*store, o, r));
    out.collect_time = collect.elapsed();
    return ok();
  };
  out.status = run();
}

}  // namespace

Result<QuickstartResult> run_quickstart(const QuickstartOptions& options) {
  QuickstartResult r;
  Steps steps(options.observer);
  std::string repo =
      options.repo.empty() ? std::string(PICKTUNE_SOURCE_DIR) + "/data/sample/express.bundle" : options.repo;
  PT_TRY(make_dir(options.out_dir));
  r.paths.store = options.store_uri.empty() ? "sqlite:" + options.out_dir + "/picktune.db" : options.store_uri;
  r.paths.student_model = options.out_dir + "/student.model";
  r.paths.report = options.out_dir + "/report.html";

  {  // the import's connection is closed after it (SQLite leaves its bulk mode), before others open
    PT_ASSIGN_OR_RETURN(auto importing, open_store(StoreOptions{r.paths.store, "dev"}));
    steps.start(QuickstartStep::import_git);
    ImportGitOptions imp;
    imp.source = repo;
    imp.with_file_context = true;  // so every registry recipe has data to collect
    PT_ASSIGN_OR_RETURN(r.imported, import_git(*importing, imp));
    steps.done(QuickstartStep::import_git, r);
  }
  PT_ASSIGN_OR_RETURN(auto store, open_store(StoreOptions{r.paths.store, "dev"}));

  // The student learns from truth, not from local:bm25's relabels, so steps 2-3 run on another
  // thread (and connection) while it trains: the fit does not keep both cores busy throughout.
  // The observer still hears every step in order, on this thread, once its part is done.
  steps.start(QuickstartStep::relabel);
  RelabelAndCollect side;
  std::thread beside([&] { relabel_and_collect(r.paths.store, options, r, side); });
  Stopwatch training;
  Result<StudentTrainReport> trained =
      train_student(*store, r.paths.student_model, options.holdout_newest, options.fit_progress);
  Elapsed train_time = training.elapsed();
  beside.join();
  Elapsed together = steps.overlap_elapsed();
  r.overlapped = together;
  PT_TRY(side.status);
  steps.done(QuickstartStep::relabel, r, side.relabel_time);
  steps.start(QuickstartStep::collect);
  if (options.diagnostics)
    for (const Diagnostic& d : side.diagnostics.all()) options.diagnostics->report(d);
  steps.done(QuickstartStep::collect, r, side.collect_time);
  PT_ASSIGN_OR_RETURN(r.student, std::move(trained));
  steps.start(QuickstartStep::train_student);
  steps.done(QuickstartStep::train_student, r, train_time);

  std::vector<std::string> models = {"local:bm25", "local:student@" + r.paths.student_model};
  steps.start(QuickstartStep::eval_relabel);
  PT_ASSIGN_OR_RETURN(r.eval_relabeled, eval_relabel_holdout(*store, models, options.holdout_newest));
  steps.done(QuickstartStep::eval_relabel, r);

  steps.start(QuickstartStep::score);
  PT_ASSIGN_OR_RETURN(r.scored, score(*store, models, options.holdout_newest, options.command));
  steps.done(QuickstartStep::score, r);
  return r;
}

}  // namespace pt
