// Implementation of pipeline/eval/eval_runs.h: the stored run's JSON (nlohmann ordered_json,
// NaN as null, doubles round-trip exactly), run ids, lookup by id / prefix / "last~N", and the
// comparison of two runs.
#include "pipeline/eval/eval_runs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/time.h"

namespace pt {
namespace {

using ojson = nlohmann::ordered_json;

ojson num(double v) { return std::isnan(v) ? ojson(nullptr) : ojson(v); }

ojson mean_json(const MeanCI& m) {
  return {{"mean", num(m.mean)}, {"lo", num(m.lo)}, {"hi", num(m.hi)}, {"n", m.n}, {"excluded", m.excluded}};
}

ojson metrics_json(const std::array<MeanCI, kMetricCount>& metrics) {
  ojson j = ojson::object();
  for (int k = 0; k < kMetricCount; ++k) j[std::string(metric_name(static_cast<Metric>(k)))] = mean_json(metrics[k]);
  return j;
}

template <class A>
ojson numbers_json(const A& values) {
  ojson out = ojson::array();
  for (auto v : values) {
    if constexpr (std::is_floating_point_v<decltype(v)>)
      out.push_back(num(v));
    else
      out.push_back(v);
  }
  return out;
}

ojson group_json(const GroupStats& g) {
  ojson models = ojson::object();
  for (const ModelStats& m : g.models)
    models[m.model] = {{"n", m.n},
                       {"metrics", metrics_json(m.metrics)},
                       {"recall_at_k", numbers_json(m.recall_curve)},
                       {"precision_at_k", numbers_json(m.precision_curve)},
                       {"files_picked_histogram", numbers_json(m.files_histogram)}};
  return {{"kind", g.kind},
          {"n", g.n},
          {"reference_histogram", numbers_json(g.reference_histogram)},
          {"models", std::move(models)}};
}

// The traces the models disagree most on: ids, the reference and each model's picks (the page
// links each to /traces/ID for the whole trace).
ojson examples_json(const EvalSummary& s) {
  ojson out = ojson::array();
  for (const TraceExample& e : s.disagreements) {
    ojson answers = ojson::object();
    for (size_t i = 0; i < s.models.size() && i < e.picks.size(); ++i) {
      ojson picks = ojson::array();
      for (const PickedPath& p : e.picks[i])
        picks.push_back({{"path", p.path}, {"in_reference", p.in_reference}, {"hallucinated", p.hallucinated}});
      answers[s.models[i]] = {{"jaccard", num(i < e.jaccard.size() ? e.jaccard[i] : std::nan(""))},
                              {"picks", std::move(picks)}};
    }
    out.push_back({{"trace_id", e.trace_id},
                   {"agent_step_id", e.agent_step_id},
                   {"kind", e.kind},
                   {"created_at", e.created_at},
                   {"request", e.request},
                   {"disagreement", num(e.disagreement)},
                   {"reference", e.reference},
                   {"answers", std::move(answers)}});
  }
  return out;
}

ojson optional_json(const std::optional<int64_t>& v) { return v ? ojson(format_rfc3339(*v)) : ojson(nullptr); }

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:06x}", rng() & 0xffffff);
}

// ---- reading ----

struct Reader {
  const std::string& run_id;
  std::string where;  // the field being read, for messages
  Error bad(const std::string& why) const {
    return runtime_error(fmt::format("evaluation run {}: field {}: {}", run_id, where, why));
  }
};

double read_num(const ojson& j) { return j.is_number() ? j.get<double>() : std::nan(""); }

size_t read_size(const ojson& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<size_t>() : 0;
}

std::string read_str(const ojson& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

MeanCI read_mean(const ojson& j) {
  MeanCI m;
  m.mean = read_num(j.value("mean", ojson()));
  m.lo = read_num(j.value("lo", ojson()));
  m.hi = read_num(j.value("hi", ojson()));
  m.n = read_size(j, "n");
  m.excluded = read_size(j, "excluded");
  return m;
}

std::optional<Metric> metric_by_name(const std::string& name) {
  for (int k = 0; k < kMetricCount; ++k)
    if (metric_name(static_cast<Metric>(k)) == name) return static_cast<Metric>(k);
  return std::nullopt;
}

template <class A>
void read_numbers(const ojson& j, const char* key, A& out) {
  auto it = j.find(key);
  for (auto& v : out) {
    if constexpr (std::is_floating_point_v<std::remove_reference_t<decltype(v)>>)
      v = std::nan("");
    else
      v = 0;
  }
  if (it == j.end() || !it->is_array()) return;
  for (size_t i = 0; i < out.size() && i < it->size(); ++i) {
    if constexpr (std::is_floating_point_v<std::remove_reference_t<decltype(out[i])>>)
      out[i] = read_num((*it)[i]);
    else
      out[i] = (*it)[i].is_number_unsigned() ? (*it)[i].template get<size_t>() : 0;
  }
}

std::array<MeanCI, kMetricCount> read_metrics(const ojson& j) {
  std::array<MeanCI, kMetricCount> out;
  for (MeanCI& m : out) m.mean = m.lo = m.hi = std::nan("");
  if (!j.is_object()) return out;
  for (const auto& [name, value] : j.items())
    if (auto m = metric_by_name(name); m && value.is_object()) out[*m] = read_mean(value);
  return out;
}

GroupStats read_group(const ojson& j, const std::vector<std::string>& order) {
  GroupStats g;
  g.kind = read_str(j, "kind");
  g.n = read_size(j, "n");
  read_numbers(j, "reference_histogram", g.reference_histogram);
  const ojson models = j.value("models", ojson::object());
  for (const std::string& id : order) {
    if (!models.contains(id)) continue;
    ModelStats& m = g.models.emplace_back();
    m.model = id;
    m.n = read_size(models[id], "n");
    m.metrics = read_metrics(models[id].value("metrics", ojson()));
    read_numbers(models[id], "recall_at_k", m.recall_curve);
    read_numbers(models[id], "precision_at_k", m.precision_curve);
    read_numbers(models[id], "files_picked_histogram", m.files_histogram);
  }
  return g;
}

std::vector<TraceExample> read_examples(const ojson& j, const std::vector<std::string>& models) {
  std::vector<TraceExample> out;
  for (const ojson& x : j.value("examples", ojson::array())) {
    if (!x.is_object()) continue;
    TraceExample& e = out.emplace_back();
    e.trace_id = read_str(x, "trace_id");
    e.agent_step_id = read_str(x, "agent_step_id");
    e.kind = read_str(x, "kind");
    e.created_at = read_str(x, "created_at");
    e.request = read_str(x, "request");
    e.disagreement = read_num(x.value("disagreement", ojson()));
    for (const ojson& p : x.value("reference", ojson::array()))
      if (p.is_string()) e.reference.push_back(p.get<std::string>());
    const ojson answers = x.value("answers", ojson::object());
    for (const std::string& id : models) {
      auto& picks = e.picks.emplace_back();
      double jac = std::nan("");
      if (answers.contains(id) && answers[id].is_object()) {
        jac = read_num(answers[id].value("jaccard", ojson()));
        for (const ojson& p : answers[id].value("picks", ojson::array()))
          if (p.is_object())
            picks.push_back({read_str(p, "path"), p.value("in_reference", false), p.value("hallucinated", false)});
      }
      e.jaccard.push_back(jac);
    }
  }
  return out;
}

Result<std::optional<int64_t>> read_time(const ojson& j, const char* key, Reader& r) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<int64_t>();
  r.where = key;
  if (!it->is_string()) return r.bad("not a time");
  auto t = parse_timestamp(it->get<std::string>());
  if (!t.ok()) return r.bad(t.error().message);
  return std::optional<int64_t>(*t);
}

bool ci_overlap(const MeanCI& a, const MeanCI& b) {
  if (std::isnan(a.lo) || std::isnan(b.lo) || std::isnan(a.hi) || std::isnan(b.hi)) return true;
  return a.lo <= b.hi && b.lo <= a.hi;
}

}  // namespace

EvalRun make_eval_run(const EvalSummary& summary, const EvalRunWindow& window, const std::string& picktune_version) {
  EvalRun run;
  run.created_at_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string t = format_rfc3339(run.created_at_us - run.created_at_us % 1000000);  // 2026-12-05T14:23:01Z
  std::string compact;
  for (char c : t.substr(0, 19))
    if (c != '-' && c != ':') compact += c;
  run.id = fmt::format("ev-{}Z-{}", compact, random_suffix());
  run.picktune_version = picktune_version;
  run.window = window;
  run.summary = summary;
  if (run.summary.disagreements.size() > kStoredExamples) run.summary.disagreements.resize(kStoredExamples);
  run.summary.run_id = run.id;
  return run;
}

ojson student_training_json(const StudentTraining& t) {
  return {{"model", t.model},
          {"teacher", t.teacher},
          {"store", t.store},
          {"cutoff", t.cutoff},
          {"holdout_newest", t.holdout_newest},
          {"train_traces", t.train_traces},
          {"selected", t.selected}};
}

std::string eval_run_json(const EvalRun& run) {
  const EvalSummary& s = run.summary;
  ojson counts = ojson::object();
  for (size_t j = 0; j < s.counts.size(); ++j) {
    const ModelCounts& c = s.counts[j];
    ojson m = {{"relabels", c.relabels},
               {"answered", c.answered},
               {"missing", c.missing},
               {"malformed", c.malformed},
               {"ambiguous", c.ambiguous}};
    counts[c.model] = std::move(m);
  }
  ojson pairs = ojson::array();
  for (const PairStats& p : s.pairs) {
    ojson metrics = ojson::object();
    for (const PairMetric& m : p.metrics) {
      ojson d = mean_json(m.result.diff);
      d["wins"] = m.result.wins;
      d["ties"] = m.result.ties;
      d["losses"] = m.result.losses;
      metrics[std::string(metric_name(m.metric))] = std::move(d);
    }
    pairs.push_back({{"a", p.a}, {"b", p.b}, {"n", p.n}, {"metrics", std::move(metrics)}});
  }
  ojson by_kind = ojson::array();
  for (const GroupStats& g : s.by_kind) by_kind.push_back(group_json(g));
  ojson students = ojson::array();
  for (const StudentTraining& t : s.students) {
    ojson one = student_training_json(t);
    one["in_sample"] = t.in_sample;
    students.push_back(std::move(one));
  }
  const EvalRunWindow& w = run.window;
  ojson j = {{"id", run.id},
             {"created_at", format_rfc3339(run.created_at_us)},
             {"picktune_version", run.picktune_version},
             {"reference", s.reference},
             {"models", s.models},
             {"selection", s.selection},
             {"window",
              {{"newest", w.newest ? ojson(*w.newest) : ojson(nullptr)},
               {"since", optional_json(w.since_us)},
               {"until", optional_json(w.until_us)},
               {"split_file", w.split_file.empty() ? ojson(nullptr) : ojson(w.split_file)},
               {"union", w.union_of_answers}}},
             {"traces", s.traces},
             {"scored", s.scored},
             {"paired", s.paired},
             {"left_out", s.left_out},
             {"missing_reference", s.missing_reference},
             {"scored_digest", s.scored_digest},
             {"bootstrap", {{"resamples", s.bootstrap.resamples}, {"seed", s.bootstrap.seed}}},
             {"counts", std::move(counts)},
             {"overall", group_json(s.overall)},
             {"by_kind", std::move(by_kind)},
             {"pairs", std::move(pairs)},
             {"students", std::move(students)},
             {"examples", examples_json(s)},
             {"in_sample", s.in_sample},
             {"warnings", s.warnings}};
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

Result<EvalRun> parse_eval_run(const EvalRunRow& row) {
  ojson j = ojson::parse(row.body, nullptr, false);
  Reader r{row.id, "(body)"};
  if (!j.is_object()) return r.bad("not a JSON object");
  EvalRun run;
  run.id = row.id;
  run.created_at_us = row.created_at_us;
  run.picktune_version = read_str(j, "picktune_version");
  EvalSummary& s = run.summary;
  s.run_id = row.id;
  s.reference = read_str(j, "reference");
  r.where = "models";
  if (!j.contains("models") || !j["models"].is_array()) return r.bad("missing or not an array");
  for (const ojson& m : j["models"]) {
    if (!m.is_string()) return r.bad("holds a non-string");
    s.models.push_back(m.get<std::string>());
  }
  s.selection = read_str(j, "selection");
  const ojson w = j.value("window", ojson::object());
  if (w.contains("newest") && w["newest"].is_number()) run.window.newest = w["newest"].get<double>();
  PT_ASSIGN_OR_RETURN(run.window.since_us, read_time(w, "since", r));
  PT_ASSIGN_OR_RETURN(run.window.until_us, read_time(w, "until", r));
  run.window.split_file = read_str(w, "split_file");
  run.window.union_of_answers = w.value("union", false);
  s.traces = read_size(j, "traces");
  s.scored = read_size(j, "scored");
  s.paired = read_size(j, "paired");
  s.left_out = read_size(j, "left_out");
  s.missing_reference = read_size(j, "missing_reference");
  s.scored_digest = read_str(j, "scored_digest");
  const ojson b = j.value("bootstrap", ojson::object());
  s.bootstrap.resamples = b.value("resamples", 0);
  s.bootstrap.seed = b.value("seed", uint64_t{0});
  const ojson counts = j.value("counts", ojson::object());
  for (const std::string& id : s.models) {
    ModelCounts& c = s.counts.emplace_back();
    c.model = id;
    if (!counts.contains(id)) continue;
    const ojson& m = counts[id];
    c.relabels = read_size(m, "relabels"), c.answered = read_size(m, "answered"), c.missing = read_size(m, "missing");
    c.malformed = read_size(m, "malformed"), c.ambiguous = read_size(m, "ambiguous");
  }
  r.where = "overall";
  if (!j.contains("overall") || !j["overall"].is_object()) return r.bad("missing or not an object");
  s.overall = read_group(j["overall"], s.models);
  for (const ojson& g : j.value("by_kind", ojson::array()))
    if (g.is_object()) s.by_kind.push_back(read_group(g, s.models));
  for (const ojson& p : j.value("pairs", ojson::array())) {
    if (!p.is_object()) continue;
    PairStats& ps = s.pairs.emplace_back();
    ps.a = read_str(p, "a");
    ps.b = read_str(p, "b");
    ps.n = read_size(p, "n");
    const ojson metrics = p.value("metrics", ojson::object());
    for (const auto& [name, value] : metrics.items()) {
      auto metric = metric_by_name(name);
      if (!metric || !value.is_object()) continue;
      PairMetric& pm = ps.metrics.emplace_back();
      pm.metric = *metric;
      pm.result.diff = read_mean(value);
      pm.result.wins = read_size(value, "wins");
      pm.result.ties = read_size(value, "ties");
      pm.result.losses = read_size(value, "losses");
    }
  }
  for (const ojson& t : j.value("students", ojson::array())) {
    if (!t.is_object()) continue;
    StudentTraining& st = s.students.emplace_back();
    st.model = read_str(t, "model");
    st.teacher = read_str(t, "teacher");
    st.store = read_str(t, "store");
    st.cutoff = read_str(t, "cutoff");
    st.holdout_newest = read_num(t.value("holdout_newest", ojson()));
    st.train_traces = t.value("train_traces", int64_t{0});
    st.selected = t.value("selected", int64_t{0});
    st.in_sample = t.value("in_sample", int64_t{0});
  }
  s.disagreements = read_examples(j, s.models);
  s.in_sample = j.value("in_sample", false);
  for (const ojson& line : j.value("warnings", ojson::array()))
    if (line.is_string()) s.warnings.push_back(line.get<std::string>());
  return run;
}

Result<std::string> save_eval_run(Store& store, const EvalRun& run) {
  PT_TRY(store.save_eval_run({run.id, run.created_at_us, eval_run_json(run)}));
  return run.id;
}

Result<std::vector<EvalRun>> load_eval_runs(Store& store) {
  PT_ASSIGN_OR_RETURN(std::vector<EvalRunRow> rows, store.list_eval_runs());
  std::vector<EvalRun> runs;
  for (const EvalRunRow& row : rows) {
    PT_ASSIGN_OR_RETURN(EvalRun run, parse_eval_run(row));
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<EvalRun> find_eval_run(Store& store, const std::string& ref) {
  if (ref.empty()) return usage_error("eval compare: a run id is empty");
  PT_ASSIGN_OR_RETURN(std::optional<EvalRunRow> exact, store.get_eval_run(ref));
  if (exact) return parse_eval_run(*exact);
  PT_ASSIGN_OR_RETURN(std::vector<EvalRunRow> rows, store.list_eval_runs());
  if (rows.empty())
    return usage_error(
        fmt::format("eval compare: {} holds no evaluation runs (every `eval score` adds one)", store.describe()));
  if (ref == "last" || ref.rfind("last~", 0) == 0) {
    size_t back = 0;
    if (ref.size() > 5) {
      const std::string n = ref.substr(5);
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 6)
        return usage_error(fmt::format("eval compare: \"{}\": expected last or last~N", ref));
      back = std::stoul(n);
    }
    if (back >= rows.size())
      return usage_error(
          fmt::format("eval compare: \"{}\": {} holds only {} runs", ref, store.describe(), rows.size()));
    return parse_eval_run(rows[rows.size() - 1 - back]);
  }
  std::vector<const EvalRunRow*> matches;
  for (const EvalRunRow& row : rows)
    if (row.id.rfind(ref, 0) == 0) matches.push_back(&row);
  if (matches.size() == 1) return parse_eval_run(*matches.front());
  std::vector<std::string> newest;
  for (size_t i = rows.size(); i > 0 && newest.size() < 3; --i) newest.push_back(rows[i - 1].id);
  if (matches.empty())
    return usage_error(fmt::format("eval compare: no evaluation run {} in {} (newest: {}; see `picktune eval runs`)",
                                   ref, store.describe(), fmt::join(newest, ", ")));
  return usage_error(fmt::format("eval compare: \"{}\" matches {} runs; give more of the id", ref, matches.size()));
}

EvalComparison compare_eval_runs(const EvalRun& before, const EvalRun& after) {
  EvalComparison c;
  c.before = before;
  c.after = after;
  const EvalSummary &a = before.summary, &b = after.summary;
  if (a.reference != b.reference)
    c.notes.push_back(fmt::format("the reference differs ({} before, {} after)", a.reference, b.reference));
  if (a.scored_digest.empty() || b.scored_digest.empty() || a.scored_digest != b.scored_digest)
    c.notes.push_back(fmt::format("the scored traces differ ({} before, {} after): a change may come from the traces",
                                  a.scored, b.scored));
  if (a.in_sample || b.in_sample) c.notes.push_back("a run holds IN-SAMPLE figures (--allow-training-overlap)");
  std::vector<std::string> models = b.models;
  for (const std::string& m : a.models)
    if (std::find(models.begin(), models.end(), m) == models.end()) models.push_back(m);
  auto stats_of = [](const EvalSummary& s, const std::string& model) -> const ModelStats* {
    for (const ModelStats& m : s.overall.models)
      if (m.model == model) return &m;
    return nullptr;
  };
  for (const std::string& model : models) {
    const ModelStats* x = stats_of(a, model);
    const ModelStats* y = stats_of(b, model);
    for (int k = 0; k < kMetricCount; ++k) {
      MetricChange ch;
      ch.model = model;
      ch.metric = static_cast<Metric>(k);
      if (x) ch.before = x->metrics[k];
      if (y) ch.after = y->metrics[k];
      ch.delta = x && y ? y->metrics[k].mean - x->metrics[k].mean : std::nan("");
      ch.cis_overlap = !(x && y) || ci_overlap(x->metrics[k], y->metrics[k]);
      c.changes.push_back(ch);
    }
  }
  return c;
}

Result<EvalComparison> compare_stored_eval_runs(Store& store, const std::string& before_ref,
                                                const std::string& after_ref) {
  PT_ASSIGN_OR_RETURN(EvalRun before, find_eval_run(store, before_ref));
  PT_ASSIGN_OR_RETURN(EvalRun after, find_eval_run(store, after_ref));
  return compare_eval_runs(before, after);
}

}  // namespace pt
