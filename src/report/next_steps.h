// What `picktune quickstart` prints last: where its outputs are, how to open the report, the
// next three commands (your own repository, a real teacher, `picktune serve`) and how to get
// `picktune` on the PATH.
#pragma once
#include <string>

namespace pt {

struct NextStepsInput {
  std::string out_dir;        // picktune-out
  std::string store;          // sqlite:picktune-out/picktune.db
  std::string tuning_prefix;  // picktune-out/tuning
  std::string student_model;  // picktune-out/student.model
  std::string report;         // picktune-out/report.html (as given)
  std::string report_abs;     // the same, absolute (for the file:// URL)
  std::string binary;         // absolute path of the running picktune
  bool on_path = false;       // `picktune` on PATH is this binary
};

std::string render_next_steps(const NextStepsInput& in);

}  // namespace pt
