// The main job (`picktune quickstart`): the whole distillation loop offline on a git history —
// import (traces + ground truth + file context) -> relabel with local:bm25 (without and with the
// file context) -> collect tuning data from those relabels -> train the student on the older 80%
// -> eval relabel the newest 20% with local:bm25 and the student -> score against truth. Relabel
// and collect run beside the training (another thread and store connection; the student learns
// from truth only). Returns what each step found and how long it took (report/quickstart_output.h
// prints it, cli/ writes report.html); an observer hears each step start and end, in order, on
// the calling thread (steps 2-4 once all three are done). Idempotent.
#pragma once
#include <array>
#include <string>

#include "pipeline/collect/collect.h"
#include "pipeline/eval/eval_relabel.h"
#include "pipeline/eval/eval_summary.h"
#include "pipeline/import/import_git.h"
#include "pipeline/quickstart/quickstart_paths.h"
#include "pipeline/relabel/relabel.h"
#include "pipeline/student/student_train.h"
#include "util/diagnostics.h"
#include "util/result.h"
#include "util/stopwatch.h"

namespace pt {

enum class QuickstartStep { import_git = 1, relabel, collect, train_student, eval_relabel, score };
inline constexpr int kQuickstartSteps = 6;

// What the run found so far; each step fills its part before step_done.
struct QuickstartResult {
  QuickstartPaths paths;
  ImportGitStats imported;
  RelabelSummary relabeled;               // local:bm25 over every trace
  RelabelSummary relabeled_with_context;  // again, with the imported file context, where there is some
  CollectOptions collect_options;
  CollectSummary collected;
  StudentTrainReport student;
  EvalRelabelResult eval_relabeled;  // local:bm25 and the student on the newest traces
  EvalSummary scored;                // against truth; report.html renders it
  // [step - 1], set before step_done: each step's wall time and the process's CPU time meanwhile.
  // Steps 2-3 run on another thread beside step 4, so their CPU figures overlap; `overlapped` is
  // the stretch of all three (wall and CPU).
  std::array<Elapsed, kQuickstartSteps> step_times{};
  Elapsed overlapped;
};

class QuickstartObserver {
 public:
  virtual ~QuickstartObserver() = default;
  virtual void step_started(QuickstartStep) {}
  virtual void step_done(QuickstartStep, const QuickstartResult&) {}
};

struct QuickstartOptions {
  std::string repo;  // git repository or bundle; "" -> data/sample/express.bundle
  std::string out_dir = "picktune-out";
  std::string store_uri;        // "" -> sqlite:OUT_DIR/picktune.db
  double holdout_newest = 0.2;  // evaluation on the newest fraction, training on the rest
  QuickstartObserver* observer = nullptr;
  Diagnostics* diagnostics = nullptr;  // collect's warnings
  std::string command;                 // the command line, for the report's provenance block
  Progress* fit_progress = nullptr;    // the student's trees (StudentTrainConfig::fit_progress)
};

Result<QuickstartResult> run_quickstart(const QuickstartOptions& options);

}  // namespace pt
