// What `student train` prints: traces read and joined, the split, dropped traces by reason, the
// trees and candidate recall, timings, and the held-out comparison with local:bm25.
#pragma once
#include <string>

#include "pipeline/student/student_train.h"
#include "providers/student_names.h"

namespace pt {

// The multi-line summary printed by the command.
std::string format_student_train_report(const StudentTrainReport& report);
// What `student register` prints: the name, its file, and where the names are kept.
std::string format_student_registration(const StudentRegistration& r, const std::string& names_path);

}  // namespace pt
