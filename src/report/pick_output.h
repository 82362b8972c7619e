// What `picktune pick` prints: the ranked files with their scores (text for a person, or one
// JSON object with --json).
#pragma once
#include <string>

#include "pipeline/pick/pick.h"

namespace pt {

// "  1  0.8123  src/routes/login.js" lines, then a footer naming the model, source and timing.
std::string format_pick(const PickResult& r);
// {"model": …, "source": …, "candidates": N, "files": [{"path": …, "score": …}, …]}
std::string format_pick_json(const PickResult& r);

}  // namespace pt
