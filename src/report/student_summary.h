// What `student train` prints: traces read and joined, the split, dropped traces by reason, the
// trees and candidate recall, timings, and the held-out comparison with local:bm25.
#pragma once
#include <string>

#include "pipeline/student/student_train.h"

namespace pt {

// The multi-line summary printed by the command.
std::string format_student_train_report(const StudentTrainReport& report);

}  // namespace pt
