// The report's provenance block (issue 20): which data (store, selection, how many traces, the
// digest of their ids), which reference, which models (a student's teacher, training store, size,
// held-out window and cutoff, in-sample count), when, with which picktune build and command.
// Passwords in URIs (scheme://user:PASSWORD@host) are never shown.
#pragma once
#include <string>
#include <string_view>

#include "pipeline/eval/eval_summary.h"

namespace pt {

// The <section id="provenance"> of the report page.
std::string provenance_block(const EvalSummary& summary);

// `text` with the password of every "scheme://user:password@" replaced by "***".
std::string redact_uri_passwords(std::string_view text);

}  // namespace pt
