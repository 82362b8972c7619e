// Implementation of pipeline/quickstart/quickstart.h: calls each stage's pipeline entry point in turn and
// prints one short section per stage.
#include "pipeline/quickstart/quickstart.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pipeline/collect/collect.h"
#include "pipeline/collect/collect_options.h"
#include "pipeline/eval/eval_relabel.h"
#include "pipeline/eval/eval_score.h"
#include "pipeline/import/import_git.h"
#include "pipeline/relabel/relabel.h"
#include "pipeline/student/student_train.h"
#include "providers/model.h"
#include "report/eval_output.h"
#include "report/html_report.h"
#include "source_dir.h"
#include "store/store.h"
#include "util/atomic_file.h"

namespace pt {
namespace {

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return runtime_error(fmt::format("{}: cannot create directory: {}", path, std::strerror(errno)));
  return ok();
}

void section(std::FILE* out, int step, const char* title) {
  std::fprintf(out, "\n[%d/6] %s\n", step, title);
  std::fflush(out);
}

Result<void> relabel_all_with_bm25(Store& store, std::FILE* out) {
  PT_ASSIGN_OR_RETURN(auto bm25, make_model("local:bm25", ModelOptions{}));
  RelabelOptions o;
  o.concurrency = 1;
  o.progress = nullptr;
  PT_ASSIGN_OR_RETURN(RelabelSummary s, run_relabel(store, *bm25, o));
  std::fprintf(out, "local:bm25 answered %lld traces (%lld already done, %lld failed) in %.1f s\n",
               static_cast<long long>(s.done), static_cast<long long>(s.skipped_done), static_cast<long long>(s.failed),
               s.elapsed_s);
  return ok();
}

Result<std::string> collect_tuning_data(Store& store, const std::string& out_dir, std::FILE* out) {
  PT_TRY(make_dir(out_dir + "/tuning"));
  CollectFlags flags;
  flags.teacher = "local:bm25";
  flags.output = out_dir + "/tuning/express-bm25";
  flags.validation_fraction = 0.1;
  PT_ASSIGN_OR_RETURN(CollectOptions o, resolve_collect_options(flags));
  o.warn = [out](const std::string& line) { std::fprintf(out, "  warning: %s\n", line.c_str()); };
  PT_ASSIGN_OR_RETURN(CollectSummary s, run_collect(store, o));
  std::fputs(collect_summary_text(o, s).c_str(), out);
  return o.output_prefix;
}

Result<void> train_student(Store& store, const std::string& model_path, double holdout, std::FILE* out) {
  StudentTrainConfig c;
  c.teacher = std::string(kTruthModel);
  c.holdout_newest = holdout;
  c.output = model_path;
  PT_ASSIGN_OR_RETURN(StudentTrainReport r, student_train(store, c));
  std::fputs(format_student_train_report(r).c_str(), out);
  return ok();
}

Result<void> eval_relabel_holdout(Store& store, const std::vector<std::string>& models, double holdout,
                                  std::FILE* out) {
  EvalRelabelOptions o;
  o.models = models;
  o.newest = holdout;
  o.relabel.concurrency = 1;
  o.relabel.progress = nullptr;
  PT_ASSIGN_OR_RETURN(EvalRelabelResult r, run_eval_relabel(store, o));
  std::fprintf(out, "%s: %lld traces\n", r.selection.c_str(), static_cast<long long>(r.traces));
  for (const auto& run : r.runs)
    std::fprintf(out, "  %s: %lld answered now, %lld already stored, %lld failed\n", run.model.c_str(),
                 static_cast<long long>(run.summary.done), static_cast<long long>(run.summary.skipped_done),
                 static_cast<long long>(run.summary.failed));
  return ok();
}

Result<void> score_and_report(Store& store, const std::vector<std::string>& models, double holdout,
                              const std::string& report, std::FILE* out) {
  EvalScoreOptions o;
  o.models = models;
  o.reference = std::string(kTruthModel);
  o.newest = holdout;
  PT_ASSIGN_OR_RETURN(EvalSummary s, run_eval_score(store, o));
  std::fputs(eval_table(s).c_str(), out);
  return write_file_atomic(report, render_html_report(s));
}

}  // namespace

Result<QuickstartPaths> run_quickstart(const QuickstartOptions& options) {
  std::FILE* out = options.out;
  QuickstartPaths paths;
  std::string repo =
      options.repo.empty() ? std::string(PICKTUNE_SOURCE_DIR) + "/data/sample/express.bundle" : options.repo;
  PT_TRY(make_dir(options.out_dir));
  paths.store = options.store_uri.empty() ? "sqlite:" + options.out_dir + "/picktune.db" : options.store_uri;
  paths.student_model = options.out_dir + "/student.model";
  paths.report = options.out_dir + "/report.html";
  PT_ASSIGN_OR_RETURN(auto store, open_store(StoreOptions{paths.store, "dev"}));

  section(out, 1, "import git history -> traces + ground truth");
  ImportGitOptions imp;
  imp.source = repo;
  PT_ASSIGN_OR_RETURN(ImportGitStats stats, import_git(*store, imp));
  std::fputs(format_import_git_summary(stats).c_str(), out);

  section(out, 2, "relabel every trace with the local teacher (local:bm25)");
  PT_TRY(relabel_all_with_bm25(*store, out));

  section(out, 3, "collect tuning data from local:bm25's relabels (Gemini format)");
  PT_ASSIGN_OR_RETURN(paths.tuning_prefix, collect_tuning_data(*store, options.out_dir, out));

  section(out, 4,
          fmt::format("train the student on the older {:.0f}% (teacher: truth)", 100 * (1 - options.holdout_newest))
              .c_str());
  PT_TRY(train_student(*store, paths.student_model, options.holdout_newest, out));

  std::vector<std::string> models = {"local:bm25", "local:student@" + paths.student_model};
  section(out, 5,
          fmt::format("eval relabel the newest {:.0f}% with local:bm25 and the student", 100 * options.holdout_newest)
              .c_str());
  PT_TRY(eval_relabel_holdout(*store, models, options.holdout_newest, out));

  section(out, 6, "score against truth");
  PT_TRY(score_and_report(*store, models, options.holdout_newest, paths.report, out));

  std::fprintf(out, "\nDone.\n");
  return paths;
}

}  // namespace pt
