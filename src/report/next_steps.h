// What `picktune quickstart` prints last: where its outputs are, how to open the report, the
// next three commands (your own repository, a real teacher, `picktune serve`) and how to get
// `picktune` on the PATH.
#pragma once
#include <string>

#include "pipeline/quickstart/quickstart_paths.h"

namespace pt {

struct NextStepsInput {
  std::string out_dir;     // picktune-out
  QuickstartPaths paths;   // what the run wrote
  std::string report_abs;  // paths.report, absolute (for the file:// URL)
  std::string binary;      // absolute path of the running picktune
  bool on_path = false;    // `picktune` on PATH is this binary
};

std::string render_next_steps(const NextStepsInput& in);

}  // namespace pt
