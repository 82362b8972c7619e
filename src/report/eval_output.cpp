// Implementation of report/eval_output.h: nlohmann ordered_json for --json (its number output
// round-trips doubles exactly), fmt for the terminal tables.
#include "report/eval_output.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/eval/eval_runs.h"
#include "pipeline/eval/eval_score.h"

namespace pt {
namespace {

using ojson = nlohmann::ordered_json;

ojson num(double v) { return std::isnan(v) ? ojson(nullptr) : ojson(v); }

ojson mean_json(const MeanCI& m, bool with_n) {
  ojson j = {{"mean", num(m.mean)}, {"ci95", ojson::array({num(m.lo), num(m.hi)})}};
  if (with_n) {
    j["n"] = m.n;
    j["excluded"] = m.excluded;
  }
  return j;
}

ojson model_json(const ModelStats& m, const ModelCounts* counts) {
  ojson j = {{"n", m.n}};
  if (counts) {
    j["missing"] = counts->missing;
    j["malformed"] = counts->malformed;
    j["ambiguous"] = counts->ambiguous;
  }
  for (int k = 0; k < kMetricCount; ++k) {
    auto metric = static_cast<Metric>(k);
    j[std::string(metric_name(metric))] =
        mean_json(m.metrics[k], metric == kLegacyMrrTop2 || metric == kHallucinatedRate);
  }
  return j;
}

ojson pair_json(const PairStats& p) {
  ojson j = {{"a", p.a}, {"b", p.b}, {"n", p.n}};
  for (const PairMetric& m : p.metrics)
    j[std::string(metric_name(m.metric))] = {{"diff", mean_json(m.result.diff, false)},
                                             {"wins", m.result.wins},
                                             {"ties", m.result.ties},
                                             {"losses", m.result.losses}};
  return j;
}

std::string mean_ci(const MeanCI& m) {
  if (std::isnan(m.mean)) return "-";
  return fmt::format("{:.4f} [{:.4f}, {:.4f}]", m.mean, m.lo, m.hi);
}

std::string mean_only(const MeanCI& m) { return std::isnan(m.mean) ? "-" : fmt::format("{:.4f}", m.mean); }

size_t model_width(const EvalSummary& s) {
  size_t w = 5;
  for (const auto& m : s.models) w = std::max(w, m.size());
  return w;
}

void main_table(std::string& out, const EvalSummary& s, size_t w) {
  out += fmt::format("{:<{}}  {:>6}  {:<24}  {:<24}  {:>6}  {:>6}  {:>7}  {:>8}  {:>8}\n", "model", w, "n",
                     "jaccard [95% CI]", "mrr [95% CI]", "files", "empty", "halluc", "leg_jac2", "leg_mrr2");
  for (const ModelStats& m : s.overall.models) {
    const auto& x = m.metrics;
    out += fmt::format("{:<{}}  {:>6}  {:<24}  {:<24}  {:>6}  {:>6}  {:>7}  {:>8}  {:>8}\n", m.model, w, m.n,
                       mean_ci(x[kJaccard]), mean_ci(x[kMrr]),
                       std::isnan(x[kFilesPicked].mean) ? "-" : fmt::format("{:.2f}", x[kFilesPicked].mean),
                       mean_only(x[kEmptyRate]), mean_only(x[kHallucinatedRate]), mean_only(x[kLegacyJaccardTop2]),
                       mean_only(x[kLegacyMrrTop2]));
  }
}

void cutoff_table(std::string& out, const EvalSummary& s, size_t w) {
  w = std::max<size_t>(w, 21);
  out += fmt::format("\n{:<{}}", "at k = 1 / 3 / 5 / 10", w);
  for (const char* name : {"recall", "precision", "ndcg"}) out += fmt::format("  {:<27}", name);
  out += "\n";
  for (const ModelStats& m : s.overall.models) {
    out += fmt::format("{:<{}}", m.model, w);
    for (int base : {kRecall1, kPrecision1, kNdcg1}) {
      std::string cell;
      for (size_t k = 0; k < kCutoffs.size(); ++k) cell += (k ? " " : "") + mean_only(m.metrics[base + k]);
      out += fmt::format("  {:<27}", cell);
    }
    out += "\n";
  }
}

void kind_table(std::string& out, const EvalSummary& s, size_t w) {
  out += fmt::format("\n{:<12}  {:<{}}  {:>6}  {:<24}  {:<24}  {:>8}  {:>8}\n", "kind", "model", w, "n",
                     "jaccard [95% CI]", "mrr [95% CI]", "recall@5", "ndcg@5");
  for (const GroupStats& g : s.by_kind)
    for (const ModelStats& m : g.models)
      out += fmt::format("{:<12}  {:<{}}  {:>6}  {:<24}  {:<24}  {:>8}  {:>8}\n", g.kind, m.model, w, m.n,
                         mean_ci(m.metrics[kJaccard]), mean_ci(m.metrics[kMrr]), mean_only(m.metrics[kRecall5]),
                         mean_only(m.metrics[kNdcg5]));
}

void pair_table(std::string& out, const EvalSummary& s) {
  if (s.pairs.empty()) return;
  out += fmt::format("\npaired (A - B) on the {} traces every model answered\n", s.paired);
  for (const PairStats& p : s.pairs) {
    out += fmt::format("{} vs {}\n", p.a, p.b);
    for (const PairMetric& m : p.metrics) {
      const auto& d = m.result.diff;
      std::string diff = std::isnan(d.mean) ? "-" : fmt::format("{:+.4f} [{:+.4f}, {:+.4f}]", d.mean, d.lo, d.hi);
      out += fmt::format("  {:<12} {:<30} win/tie/loss {}/{}/{}\n", metric_name(m.metric), diff, m.result.wins,
                         m.result.ties, m.result.losses);
    }
  }
}

}  // namespace

std::string eval_json(const EvalSummary& s) {
  ojson j;
  j["reference"] = s.reference;
  j["n"] = s.scored;
  j["traces"] = s.traces;
  j["missing_reference"] = s.missing_reference;
  j["malformed_reference"] = s.malformed_reference;
  j["ambiguous_reference"] = s.ambiguous_reference;
  j["unreadable_traces"] = s.unreadable_traces;
  j["paired_n"] = s.paired;
  j["bootstrap"] = {{"resamples", s.bootstrap.resamples}, {"seed", s.bootstrap.seed}};
  ojson models = ojson::object();
  for (size_t i = 0; i < s.overall.models.size(); ++i)
    models[s.overall.models[i].model] = model_json(s.overall.models[i], i < s.counts.size() ? &s.counts[i] : nullptr);
  j["models"] = std::move(models);
  ojson pairs = ojson::array();
  for (const PairStats& p : s.pairs) pairs.push_back(pair_json(p));
  j["pairs"] = std::move(pairs);
  ojson kinds = ojson::object();
  for (const GroupStats& g : s.by_kind) {
    ojson km = ojson::object();
    for (const ModelStats& m : g.models) km[m.model] = model_json(m, nullptr);
    kinds[g.kind] = {{"n", g.n}, {"models", std::move(km)}};
  }
  j["by_kind"] = std::move(kinds);
  j["warnings"] = s.warnings;
  j["in_sample"] = s.in_sample;
  j["left_out"] = s.left_out;
  ojson students = ojson::array();
  for (const StudentTraining& t : s.students) {
    ojson one = student_training_json(t);
    one["in_sample_traces"] = t.in_sample;
    one["in_sample"] = t.in_sample > 0;
    students.push_back(std::move(one));
  }
  j["students"] = std::move(students);
  j["run_id"] = s.run_id.empty() ? ojson(nullptr) : ojson(s.run_id);
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string eval_table(const EvalSummary& s) {
  std::string out = fmt::format("reference {} · {} of {} traces scored ({}) · 95% CI from {} bootstrap resamples\n\n",
                                s.reference, s.scored, s.traces, s.selection, s.bootstrap.resamples);
  for (const StudentTraining& t : s.students)
    out += t.in_sample > 0 ? fmt::format("IN-SAMPLE: {} trained on {} of the {} selected traces\n\n", t.model,
                                         t.in_sample, t.selected)
                           : fmt::format("{}: out-of-sample (trained on {} traces older than {}, teacher {})\n\n",
                                         t.model, t.train_traces, t.cutoff.empty() ? "-" : t.cutoff, t.teacher);
  size_t w = model_width(s);
  main_table(out, s, w);
  cutoff_table(out, s, w);
  kind_table(out, s, w);
  pair_table(out, s);
  if (!s.run_id.empty())
    out += fmt::format("\nsaved as run {} (`picktune eval runs`, `picktune eval compare`)\n", s.run_id);
  return out;
}

}  // namespace pt
