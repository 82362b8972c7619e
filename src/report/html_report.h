// The evaluation report: one self-contained HTML page (inline CSS and SVG, no script, no network)
// with the score tables, a bar chart per metric with CI whiskers, the files-picked histogram, the
// per-kind breakdown, the paired comparisons and the traces the models disagree most on, picks
// and reference side by side. All trace text is HTML-escaped.
#pragma once
#include <string>

#include "pipeline/eval/eval_summary.h"
#include "pipeline/eval/eval_trend.h"

namespace pt {

// `trend` (optional): a metric over the stored runs with this run's reference, shown after the
// recall@k chart (issue 17); summary.run_id marks this run in it.
std::string render_html_report(const EvalSummary& summary, const MetricTrend* trend = nullptr);
// The report's sections without the document around them (the /evals/RUN page of `picktune
// serve` wraps them in its own document and navigation).
std::string eval_report_body(const EvalSummary& summary);

}  // namespace pt
