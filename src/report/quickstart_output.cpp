// Implementation of report/quickstart_output.h: the section titles and each step's few lines,
// reusing the stage summaries of collect, import git, student train and eval.
#include "report/quickstart_output.h"

#include <fmt/format.h>

#include "report/collect_summary.h"
#include "report/eval_output.h"
#include "report/import_summary.h"
#include "report/student_summary.h"

namespace pt {
namespace {

const char* step_name(QuickstartStep step) {
  switch (step) {
    case QuickstartStep::import_git: return "import git";
    case QuickstartStep::relabel: return "relabel";
    case QuickstartStep::collect: return "collect";
    case QuickstartStep::train_student: return "student train";
    case QuickstartStep::eval_relabel: return "eval relabel";
    case QuickstartStep::score: return "score";
  }
  return "?";
}

bool beside_training(QuickstartStep step) {
  return step == QuickstartStep::relabel || step == QuickstartStep::collect || step == QuickstartStep::train_student;
}

std::string step_time_lines(QuickstartStep step, const QuickstartResult& r) {
  const Elapsed& e = r.step_times[static_cast<size_t>(step) - 1];
  if (!beside_training(step) || r.overlapped.wall_s <= 0)
    return fmt::format("  step time: {:.1f} s wall, {:.1f} s CPU\n", e.wall_s, e.cpu_s);
  if (step != QuickstartStep::train_student)
    return fmt::format("  step time: {:.1f} s wall (beside the student's training)\n", e.wall_s);
  return fmt::format("  step time: {:.1f} s wall; steps 2-4 together: {:.1f} s wall, {:.1f} s CPU\n", e.wall_s,
                     r.overlapped.wall_s, r.overlapped.cpu_s);
}

}  // namespace

std::string format_quickstart_times(const QuickstartResult& r) {
  std::string out = "\nstep times (s wall / CPU):";
  Elapsed total = r.overlapped;
  for (int i = 1; i <= kQuickstartSteps; ++i) {
    const auto step = static_cast<QuickstartStep>(i);
    const Elapsed& e = r.step_times[static_cast<size_t>(i) - 1];
    const bool beside = beside_training(step) && r.overlapped.wall_s > 0;
    out += beside ? fmt::format(" {} {:.1f}", step_name(step), e.wall_s)
                  : fmt::format(" {} {:.1f}/{:.1f}", step_name(step), e.wall_s, e.cpu_s);
    if (beside && step == QuickstartStep::train_student)
      out += fmt::format(" (steps 2-4 together {:.1f}/{:.1f})", r.overlapped.wall_s, r.overlapped.cpu_s);
    out += " ·";
    if (beside) continue;
    total.wall_s += e.wall_s;
    total.cpu_s += e.cpu_s;
  }
  out += fmt::format(" total {:.1f}/{:.1f}\n", total.wall_s, total.cpu_s);
  return out;
}

void QuickstartPrinter::step_started(QuickstartStep step) {
  std::string title;
  switch (step) {
    case QuickstartStep::import_git: title = "import git history -> traces + ground truth"; break;
    case QuickstartStep::relabel: title = "relabel every trace with the local teacher (local:bm25)"; break;
    case QuickstartStep::collect: title = "collect tuning data from local:bm25's relabels (Gemini format)"; break;
    case QuickstartStep::train_student:
      title = fmt::format("train the student on the older {:.0f}% (teacher: truth)", 100 * (1 - holdout_));
      break;
    case QuickstartStep::eval_relabel:
      title = fmt::format("eval relabel the newest {:.0f}% with local:bm25 and the student", 100 * holdout_);
      break;
    case QuickstartStep::score: title = "score against truth"; break;
  }
  std::fprintf(out_, "\n[%d/%d] %s\n", static_cast<int>(step), kQuickstartSteps, title.c_str());
  std::fflush(out_);
}

void QuickstartPrinter::step_done(QuickstartStep step, const QuickstartResult& r) {
  std::string text;
  switch (step) {
    case QuickstartStep::import_git: text = format_import_git_summary(r.imported); break;
    case QuickstartStep::relabel:
      text = fmt::format("local:bm25 answered {} traces ({} already done, {} failed) in {:.1f} s\n", r.relabeled.done,
                         r.relabeled.skipped_done, r.relabeled.failed, r.relabeled.elapsed_s);
      text += fmt::format(
          "  with file context: {} traces ({} already done, {} without file context, {} failed) in {:.1f} s\n",
          r.relabeled_with_context.done, r.relabeled_with_context.skipped_done,
          r.relabeled_with_context.skipped_no_context, r.relabeled_with_context.failed,
          r.relabeled_with_context.elapsed_s);
      break;
    case QuickstartStep::collect: text = collect_summary_text(r.collect_options, r.collected); break;
    case QuickstartStep::train_student: text = format_student_train_report(r.student); break;
    case QuickstartStep::eval_relabel:
      text = fmt::format("{}: {} traces\n", r.eval_relabeled.selection, r.eval_relabeled.traces);
      for (const auto& run : r.eval_relabeled.runs)
        text += fmt::format("  {}: {} answered now, {} already stored, {} failed\n", run.model, run.summary.done,
                            run.summary.skipped_done, run.summary.failed);
      break;
    case QuickstartStep::score: text = eval_table(r.scored); break;
  }
  text += step_time_lines(step, r);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

}  // namespace pt
