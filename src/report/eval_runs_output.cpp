// Implementation of report/eval_runs_output.h (fmt tables, nlohmann ordered_json).
#include "report/eval_runs_output.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/time.h"

namespace pt {
namespace {

using ojson = nlohmann::ordered_json;

ojson num_or_null(double v) { return std::isnan(v) ? ojson(nullptr) : ojson(v); }

std::string mean_ci(const std::optional<MeanCI>& m) {
  if (!m) return "(not in run)";
  if (std::isnan(m->mean)) return "-";
  return fmt::format("{:.4f} [{:.4f}, {:.4f}]", m->mean, m->lo, m->hi);
}

}  // namespace

std::string eval_run_window_text(const EvalRun& r) {
  if (!r.window.split_file.empty()) return "split " + r.window.split_file;
  std::vector<std::string> parts;
  if (r.window.newest) parts.push_back(fmt::format("newest {}", *r.window.newest));
  if (r.window.since_us) parts.push_back("since " + format_rfc3339(*r.window.since_us));
  if (r.window.until_us) parts.push_back("until " + format_rfc3339(*r.window.until_us));
  if (r.window.union_of_answers) parts.push_back("union");
  return parts.empty() ? "all traces" : fmt::format("{}", fmt::join(parts, ", "));
}

namespace {

std::string run_header(const char* label, const EvalRun& r) {
  return fmt::format("{} {}  {}  reference {}  {}  n={}{}  (picktune {})\n", label, r.id,
                     format_rfc3339(r.created_at_us), r.summary.reference, eval_run_window_text(r), r.summary.scored,
                     r.summary.in_sample ? "  IN-SAMPLE" : "", r.picktune_version.empty() ? "?" : r.picktune_version);
}

ojson change_json(const MetricChange& ch) {
  auto side = [](const std::optional<MeanCI>& m) -> ojson {
    if (!m) return nullptr;
    return {
        {"mean", num_or_null(m->mean)}, {"ci95", ojson::array({num_or_null(m->lo), num_or_null(m->hi)})}, {"n", m->n}};
  };
  return {{"metric", std::string(metric_name(ch.metric))},
          {"before", side(ch.before)},
          {"after", side(ch.after)},
          {"delta", num_or_null(ch.delta)},
          {"cis_overlap", ch.cis_overlap}};
}

}  // namespace

std::string eval_runs_table(const std::vector<EvalRun>& runs, const std::string& store) {
  if (runs.empty()) return fmt::format("no evaluation runs in {} (every `eval score` adds one)\n", store);
  size_t idw = 2, refw = 9;
  for (const EvalRun& r : runs) idw = std::max(idw, r.id.size()), refw = std::max(refw, r.summary.reference.size());
  std::string out = fmt::format("{:<{}}  {:<20}  {:<{}}  {:>6}  {:<24}  {}\n", "id", idw, "time (UTC)", "reference",
                                refw, "n", "window", "models: n, jaccard [95% CI]");
  for (const EvalRun& r : runs) {
    std::vector<std::string> models;
    for (const ModelStats& m : r.summary.overall.models)
      models.push_back(fmt::format("{}: {}, {}", m.model, m.n, mean_ci(m.metrics[kJaccard])));
    std::string time = format_rfc3339(r.created_at_us - r.created_at_us % 1000000);
    out += fmt::format("{:<{}}  {:<20}  {:<{}}  {:>6}  {:<24}  {}{}\n", r.id, idw, time, r.summary.reference, refw,
                       r.summary.scored, eval_run_window_text(r), fmt::join(models, "; "),
                       r.summary.in_sample ? "  IN-SAMPLE" : "");
  }
  return out;
}

std::string eval_runs_json(const std::vector<EvalRun>& runs) {
  ojson out = ojson::array();
  for (const EvalRun& r : runs) out.push_back(ojson::parse(eval_run_json(r)));
  return out.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string eval_compare_table(const EvalComparison& c) {
  std::string out = run_header("before:", c.before) + run_header("after: ", c.after);
  for (const std::string& n : c.notes) out += "note: " + n + "\n";
  std::string model;
  for (const MetricChange& ch : c.changes) {
    if (ch.model != model) {
      model = ch.model;
      out += fmt::format("\n{}\n  {:<20}  {:<26}  {:<26}  {:>8}  {}\n", model, "metric", "before [95% CI]",
                         "after [95% CI]", "delta", "");
    }
    std::string delta = std::isnan(ch.delta) ? "-" : fmt::format("{:+.4f}", ch.delta);
    std::string verdict = !ch.before || !ch.after || std::isnan(ch.delta) ? ""
                          : ch.cis_overlap                                ? "CIs overlap"
                                                                          : "changed (CIs apart)";
    out += fmt::format("  {:<20}  {:<26}  {:<26}  {:>8}  {}\n", metric_name(ch.metric), mean_ci(ch.before),
                       mean_ci(ch.after), delta, verdict);
  }
  return out;
}

std::string eval_compare_json(const EvalComparison& c) {
  auto header = [](const EvalRun& r) {
    return ojson{{"id", r.id},
                 {"created_at", format_rfc3339(r.created_at_us)},
                 {"reference", r.summary.reference},
                 {"n", r.summary.scored},
                 {"scored_digest", r.summary.scored_digest},
                 {"in_sample", r.summary.in_sample},
                 {"picktune_version", r.picktune_version}};
  };
  ojson models = ojson::object();
  for (const MetricChange& ch : c.changes) {
    if (!models.contains(ch.model)) models[ch.model] = ojson::array();
    models[ch.model].push_back(change_json(ch));
  }
  ojson j = {{"before", header(c.before)},
             {"after", header(c.after)},
             {"same_traces", !c.before.summary.scored_digest.empty() &&
                                 c.before.summary.scored_digest == c.after.summary.scored_digest},
             {"notes", c.notes},
             {"models", std::move(models)}};
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace pt
