// Implementation of server/pages/page_data.h.
#include "server/pages/page_data.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/file_list.h"
#include "core/file_tree.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "core/relabel_join.h"
#include "pipeline/eval/eval_relabel.h"
#include "pipeline/eval/eval_runs.h"
#include "pipeline/join/relabel_source.h"
#include "pipeline/registry/registry_file.h"
#include "pipeline/relabel/relabel.h"
#include "report/html/escape.h"
#include "store/trace_page.h"
#include "util/time.h"

namespace pt::server {
namespace {

constexpr std::string_view kTypes[] = {kGetRelevantFiles, kExpandedContext, kExpandedContextBlobs,
                                       kFileTrees,        kAgentResponse,   kGradeRun};

constexpr size_t kOverviewEvalRuns = 5;

std::string param(const Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}

// The request kind's payload spelling ("" when absent, "unknown" for other values).
std::string kind_of_payload(const std::string& payload) {
  return std::string(to_string(read_trace_key_fields(payload).request_kind));
}

std::optional<int64_t> int_at(const nlohmann::json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_number()) return j[key].get<int64_t>();
  return std::nullopt;
}

}  // namespace

Result<OverviewView> overview_view(Store& store, const std::string& registry_path) {
  OverviewView v;
  v.store = store.describe();
  for (std::string_view type : kTypes) {
    RowFilter f;
    f.type = std::string(type);
    PT_ASSIGN_OR_RETURN(int64_t n, store.count(Table::traces, f));
    if (n == 0) continue;
    if (type == kGetRelevantFiles) {
      v.picker_traces = n;
      for (RequestKind request_kind : {RequestKind::key, RequestKind::non_obvious, RequestKind::absent}) {
        const std::string kind(to_string(request_kind));
        f.request_kind = request_kind;
        PT_ASSIGN_OR_RETURN(int64_t k, store.count(Table::traces, f));
        if (k)
          v.traces.push_back({std::string(type), kind.empty() ? "(none)" : kind, k,
                              "/traces?type=" + url_encode(type) + (kind.empty() ? "" : "&kind=" + url_encode(kind))});
      }
      continue;
    }
    v.traces.push_back({std::string(type), "", n, "/traces?type=" + url_encode(type)});
  }
  RowFilter all;
  PT_ASSIGN_OR_RETURN(int64_t total, store.count(Table::traces, all));
  int64_t listed = 0;
  for (const CountRow& r : v.traces) listed += r.count;
  if (total > listed) v.traces.push_back({"(other types)", "", total - listed, "/traces"});
  all.limit = 1;
  PT_TRY(store.scan(Table::traces, all, [&](Row&& r) {
    v.newest_trace_id = r.id;
    v.newest_trace_time = format_rfc3339(r.created_at_us);
    return false;
  }));
  // Relabels per model and the distinct traces each answers.
  std::map<std::string, std::pair<int64_t, std::unordered_set<std::string>>> models;
  PT_TRY(store.scan(Table::relabels, RowFilter{}, [&](Row&& r) {
    auto& [n, keys] = models[r.model];
    ++n;
    RelabelRecord rec = read_relabel(std::move(r));
    keys.insert(!rec.key.trace_id.empty()
                    ? rec.key.trace_id
                    : rec.key.agent_step_id + '\x1f' + std::string(to_string(rec.key.request_kind)));
    return true;
  }));
  for (auto& [model, entry] : models)
    v.teachers.push_back(
        {model, entry.first, std::min<int64_t>(static_cast<int64_t>(entry.second.size()), v.picker_traces)});
  // The newest stored evaluation runs (a run that cannot be read is named, the page still renders).
  auto runs = load_eval_runs(store);
  if (!runs.ok()) {
    v.eval_runs.push_back({"(unreadable)", runs.error().message, 0, "/evals"});
  } else {
    for (auto it = runs->rbegin(); it != runs->rend() && v.eval_runs.size() < kOverviewEvalRuns; ++it) {
      std::string models;
      for (const ModelStats& m : it->summary.overall.models) models += (models.empty() ? "" : ", ") + m.model;
      v.eval_runs.push_back({it->id,
                             format_rfc3339(it->created_at_us - it->created_at_us % 1000000) + " · reference " +
                                 it->summary.reference + " · n=" + std::to_string(it->summary.scored) + " · " + models,
                             static_cast<int64_t>(it->summary.scored), "/evals/" + url_encode(it->id)});
    }
    v.eval_runs_total = static_cast<int64_t>(runs->size());
  }
  v.registry_path = registry_path.empty() ? default_registry_path() : registry_path;
  auto reg = load_registry(v.registry_path);
  if (reg.ok())
    v.registry_entries = static_cast<int64_t>(reg->finetunes.size());
  else
    v.registry_problem = reg.error().message;
  return v;
}

Result<TraceListView> trace_list_view(Store& store, const Params& p, const std::string& registry_path) {
  TraceListView v;
  for (std::string_view t : kTypes) v.types.emplace_back(t);
  v.type = param(p, "type");
  v.kind = param(p, "kind");
  v.user = param(p, "user");
  v.step = param(p, "step");
  v.since = param(p, "since");
  v.until = param(p, "until");
  v.text = param(p, "q");
  TracePageQuery q;
  q.text = v.text;
  if (!v.type.empty()) q.filter.type = v.type;
  if (!v.kind.empty()) {
    auto kind = parse_request_kind(v.kind, "kind");
    if (kind.ok())
      q.filter.request_kind = *kind;
    else
      v.error = kind.error().message;
  }
  if (!v.user.empty()) q.filter.user_id = v.user;
  if (!v.step.empty()) q.filter.agent_step_id = v.step;
  auto since = parse_time_filter("since", v.since);
  auto until = parse_time_filter("until", v.until);
  if (!since.ok())
    v.error = since.error().message;
  else
    q.filter.since_us = *since;
  if (!until.ok())
    v.error = until.error().message;
  else
    q.filter.until_us = *until;
  std::string after = param(p, "after");
  if (!after.empty()) {
    q.filter.after = parse_cursor(after);
    if (!q.filter.after) v.error = "after: expected CREATEDUS_ID, got \"" + after + "\"";
  }
  PT_ASSIGN_OR_RETURN(TracePage page, trace_page(store, q));
  v.examined = page.examined;
  v.budget_hit = page.budget_hit;
  for (Row& r : page.rows)
    v.rows.push_back({r.id, format_rfc3339(r.created_at_us), r.type, kind_of_payload(r.payload), r.user_id,
                      r.agent_step_id, trace_request_text(r)});
  std::string base;
  for (auto [name, value] : {std::pair{"type", &v.type},
                             {"kind", &v.kind},
                             {"user", &v.user},
                             {"step", &v.step},
                             {"since", &v.since},
                             {"until", &v.until},
                             {"q", &v.text}})
    if (!value->empty()) base += std::string(base.empty() ? "?" : "&") + name + "=" + url_encode(*value);
  if (page.next)
    v.next_href = "/traces" + base + (base.empty() ? "?" : "&") + "after=" + url_encode(format_cursor(*page.next));
  if (!after.empty()) v.first_href = "/traces" + base;
  v.teacher = param(p, "teacher");
  if (!v.teacher.empty()) {
    std::vector<std::string> ids;
    for (const TraceListRow& r : v.rows)
      if (r.type == kGetRelevantFiles) ids.push_back(r.id);
    v.relabel_cost = relabel_cost_view(store, v.teacher, ids, registry_path);
    std::string with = "teacher=" + url_encode(v.teacher);
    if (!v.next_href.empty()) v.next_href += "&" + with;
    if (!v.first_href.empty()) v.first_href += (base.empty() ? "?" : "&") + with;
  }
  return v;
}

RelabelCostView relabel_cost_view(Store& store, const std::string& teacher, const std::vector<std::string>& trace_ids,
                                  const std::string& registry_path) {
  RelabelCostView c;
  c.teacher = teacher;
  c.traces = static_cast<int64_t>(trace_ids.size());
  // A local model costs nothing, and local:student@PATH would read a file the visitor names.
  if (teacher.rfind("local:", 0) == 0) {
    c.error = "local models cost nothing to run";
    return c;
  }
  if (trace_ids.empty()) return c;
  ModelOptions mo;
  mo.offline = true;  // prices only: no key needed, nothing sent
  auto model = make_candidate_model(teacher, mo, registry_path);
  if (!model.ok()) {
    c.error = model.error().message;
    return c;
  }
  RelabelOptions ro;
  ro.dry_run = true;
  ro.trace_ids = trace_ids;
  ro.max_output_tokens = mo.max_output_tokens;
  ro.model_options = mo;
  auto s = run_relabel(store, **model, ro);
  if (!s.ok()) {
    c.error = s.error().message;
    return c;
  }
  c.tokenizer = s->tokenizer_name;
  c.already = s->skipped_done;
  c.to_do = s->to_do;
  c.input_tokens = s->estimated_input_tokens;
  c.cost_usd = s->estimated_cost_usd;
  c.worst_cost_usd = s->estimated_worst_cost_usd;
  return c;
}

Result<std::optional<TraceDetailView>> trace_detail_view(Store& store, const std::string& id) {
  PT_ASSIGN_OR_RETURN(std::optional<Row> row, store.get(Table::traces, id));
  if (!row) return std::optional<TraceDetailView>();
  TraceDetailView v;
  v.id = row->id;
  v.time = format_rfc3339(row->created_at_us);
  v.type = row->type;
  v.user = row->user_id;
  v.step = row->agent_step_id;
  v.kind = kind_of_payload(row->payload);
  v.payload = row->payload;
  if (row->type != kGetRelevantFiles) return std::optional<TraceDetailView>(std::move(v));
  auto call = parse_picker_call(row->payload);
  if (!call.ok()) {
    v.parse_problem = call.error().message;
    return std::optional<TraceDetailView>(std::move(v));
  }
  v.request = std::string(request_from_prompt(last_user_text(*call)));
  v.system = system_text(*call);
  v.tree = extract_file_tree(v.system);
  v.model = call->model;
  v.repo = call->repo_name;
  std::set<std::string> tree(v.tree.begin(), v.tree.end());
  AnswerView production{"production", "production", "", v.time, {}, {}, {}, {}, {}, {}, {}};
  for (std::string& f : parse_production_output(call->output)) production.files.push_back({std::move(f), false, false});
  {
    auto j = nlohmann::json::parse(row->payload, nullptr, false);
    if (j.is_object() && j.contains("usage")) {
      production.input_tokens = int_at(j["usage"], "input_tokens");
      production.output_tokens = int_at(j["usage"], "output_tokens");
      production.cached_tokens = int_at(j["usage"], "cached_input_tokens");
    }
  }
  v.answers.push_back(std::move(production));
  // Relabels of the step answering this trace: by trace id, or naming no trace with its kind or none.
  RowFilter f;
  f.agent_step_id = row->agent_step_id;
  f.order = RowFilter::Order::oldest_first;
  std::vector<AnswerView> relabels;
  PT_TRY(store.scan(Table::relabels, f, [&](Row&& r) {
    auto j = nlohmann::json::parse(r.payload, nullptr, false);
    AnswerView a;
    a.source = r.model;
    a.relabel_id = r.id;
    a.time = format_rfc3339(r.created_at_us);
    RelabelRecord rec = read_relabel(std::move(r));
    if (!rec.key.trace_id.empty()
            ? rec.key.trace_id != v.id
            : (rec.key.request_kind != RequestKind::absent && to_string(rec.key.request_kind) != v.kind))
      return true;
    a.role = a.source == kTruthModel ? "truth" : a.source.rfind("local:student", 0) == 0 ? "student" : "relabel";
    std::vector<std::string> files =
        rec.output ? parse_file_list(*rec.output) : rec.files.value_or(std::vector<std::string>{});
    for (std::string& p : files) a.files.push_back({std::move(p), false, false});
    a.problem = rec.problem;
    if (j.is_object()) {
      if (j.contains("usage")) {
        a.input_tokens = int_at(j["usage"], "input_tokens");
        a.output_tokens = int_at(j["usage"], "output_tokens");
        a.cached_tokens = int_at(j["usage"], "cached_input_tokens");
      }
      if (j.contains("cost_usd") && j["cost_usd"].is_number()) a.cost_usd = j["cost_usd"].get<double>();
      a.latency_ms = int_at(j, "latency_ms");
    }
    relabels.push_back(std::move(a));
    return true;
  }));
  // Truth first after production, then the rest by model id.
  std::stable_sort(relabels.begin(), relabels.end(), [](const AnswerView& a, const AnswerView& b) {
    return std::pair(a.role != "truth", a.source) < std::pair(b.role != "truth", b.source);
  });
  std::set<std::string> truth;
  for (const AnswerView& a : relabels)
    if (a.role == "truth") {
      v.has_truth = true;
      for (const AnswerFile& f2 : a.files) truth.insert(normalize_path(f2.path));
    }
  for (AnswerView& a : relabels) v.answers.push_back(std::move(a));
  for (AnswerView& a : v.answers)
    for (AnswerFile& file : a.files) {
      file.in_truth = truth.count(normalize_path(file.path)) > 0;
      file.hallucinated = !tree.empty() && !tree.count(normalize_path(file.path)) && !tree.count(file.path);
    }
  return std::optional<TraceDetailView>(std::move(v));
}

FinetunesView finetunes_view(const std::string& registry_path) {
  FinetunesView v;
  v.path = registry_path.empty() ? default_registry_path() : registry_path;
  auto reg = load_registry(v.path);
  if (!reg.ok()) {
    v.problem = reg.error().message;
    return v;
  }
  v.registry = std::move(*reg);
  v.findings = check_registry(v.registry);
  return v;
}

Result<std::string> previous_eval_run(Store& store, const std::string& id) {
  PT_ASSIGN_OR_RETURN(std::vector<EvalRunRow> rows, store.list_eval_runs());
  for (size_t i = 1; i < rows.size(); ++i)
    if (rows[i].id == id) return rows[i - 1].id;
  return std::string();
}

}  // namespace pt::server
