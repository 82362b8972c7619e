// Checks a tuning data file before it is uploaded (issue 20): every line must be the format the
// provider takes (Vertex AI: Gemini `{"contents":[...]}` lines; OpenAI: chat `{"messages":[...]}`
// lines, docs/formats.md#tuning-records) and the file must hold at least one sample. A refusal
// names FILE:LINE and what was expected, so nothing is uploaded or paid for in vain.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

// Why one line is not a sample for `provider` ("vertex" or "openai"); empty when it is one.
std::string tuning_line_problem(std::string_view line, std::string_view provider);

// Reads the whole file; returns its sample count, or a usage error "FILE:LINE: ..." for the first
// bad line, or "FILE: 0 samples ..." for a file without any.
Result<int64_t> check_tuning_file(const std::string& path, std::string_view provider);

}  // namespace pt
