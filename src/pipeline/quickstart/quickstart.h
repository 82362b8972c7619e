// The main job (`picktune quickstart`): the whole distillation loop offline on a git history —
// import (traces + ground truth) -> relabel with local:bm25 -> collect tuning data from those
// relabels -> train the student on the older 80% -> eval relabel the newest 20% with local:bm25
// and the student -> score against truth -> report.html. Idempotent: a re-run adds nothing twice.
#pragma once
#include <cstdio>
#include <string>

#include "util/result.h"

namespace pt {

struct QuickstartOptions {
  std::string repo;  // git repository or bundle; "" -> data/sample/express.bundle
  std::string out_dir = "picktune-out";
  std::string store_uri;        // "" -> sqlite:OUT_DIR/picktune.db
  double holdout_newest = 0.2;  // evaluation on the newest fraction, training on the rest
  std::FILE* out = stdout;      // what was done and where things are
};

struct QuickstartPaths {
  std::string store, student_model, tuning_prefix, report;
};

Result<QuickstartPaths> run_quickstart(const QuickstartOptions& options);

}  // namespace pt
