// Where `picktune quickstart` puts its outputs (store, tuning data, student model, report): filled
// by the run (pipeline/quickstart) and shown by its closing block (report/next_steps), in a header
// of its own so the report side needs nothing else of the run.
#pragma once
#include <string>

namespace pt {

struct QuickstartPaths {
  std::string store;          // sqlite:picktune-out/picktune.db
  std::string student_model;  // picktune-out/student.model
  std::string tuning_prefix;  // picktune-out/tuning
  std::string report;         // picktune-out/report.html (as given)
};

}  // namespace pt
