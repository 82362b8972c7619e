// Terminal text of `traces show ID` (the trace, then its production answer and every relabel that
// answers it side by side: model, files picked in order, tokens, cost) and `relabels show ID` (the
// relabel in full and the trace it answers). Data from pipeline/export/row_detail.h.
#pragma once
#include <string>

#include "pipeline/export/row_detail.h"

namespace pt {

std::string render_trace_detail(const TraceDetail& trace);
std::string render_relabel_detail(const RelabelShow& relabel);

}  // namespace pt
