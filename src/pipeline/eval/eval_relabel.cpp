// Implementation of pipeline/eval/eval_relabel.h: candidate resolution through the registry, the
// selection (split manifest, newest fraction, range, limit), and one relabel run per candidate.
#include "pipeline/eval/eval_relabel.h"

#include "pipeline/eval/eval_provenance.h"
#include "pipeline/relabel/relabel_select.h"
#include "store/newest_window.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/picker_call.h"
#include "core/split.h"
#include "pipeline/collect/collect.h"
#include "pipeline/registry/registry_file.h"
#include "util/sha256.h"
#include "util/time.h"

namespace pt {
namespace {

// A model that answers as `inner` but is stored under another id (a registry id), one per kind.
class AliasRemoteModel final : public RemoteModel {
 public:
  AliasRemoteModel(std::string id, RemoteModel& inner, std::unique_ptr<Model> owned)
      : RemoteModel(std::move(id)), inner_(inner), owned_(std::move(owned)) {}
  Result<HttpRequest> build_request(const TeacherInput& input) const override { return inner_.build_request(input); }
  Result<Completion> parse_response(const HttpResponse& r) const override { return inner_.parse_response(r); }
  double cost_usd(const Usage& usage) const override { return inner_.cost_usd(usage); }

 private:
  RemoteModel& inner_;
  std::unique_ptr<Model> owned_;
};

class AliasLocalModel final : public LocalModel {
 public:
  AliasLocalModel(std::string id, LocalModel& inner, std::unique_ptr<Model> owned)
      : LocalModel(std::move(id)), inner_(inner), owned_(std::move(owned)) {}
  Result<Completion> answer(const TeacherInput& input) override { return inner_.answer(input); }

 private:
  LocalModel& inner_;
  std::unique_ptr<Model> owned_;
};

// `inner` under the id `id`.
std::unique_ptr<Model> alias_model(std::string id, std::unique_ptr<Model> inner) {
  if (LocalModel* local = inner->as_local())
    return std::make_unique<AliasLocalModel>(std::move(id), *local, std::move(inner));
  RemoteModel& remote = *inner->as_remote();
  return std::make_unique<AliasRemoteModel>(std::move(id), remote, std::move(inner));
}

struct SplitSettings {
  double fraction = 0;
  SplitBy by = SplitBy::step;
  std::optional<uint64_t> seed;
  std::vector<RequestKind> kinds;  // empty: every kind
  std::optional<int64_t> since_us, until_us;
};

Result<std::optional<int64_t>> manifest_time(const nlohmann::json& v, const std::string& where) {
  if (v.is_null()) return std::optional<int64_t>();
  if (!v.is_string()) return runtime_error(where + ": expected an RFC 3339 string or null");
  auto t = parse_timestamp(v.get<std::string>());
  if (!t.ok()) return runtime_error(where + ": " + t.error().message);
  return std::optional<int64_t>(*t);
}

Result<SplitSettings> read_split(const std::string& manifest_path) {
  std::ifstream in(manifest_path, std::ios::binary);
  if (!in)
    return usage_error(
        fmt::format("--split: cannot read {} (the manifest collect writes next to the split)", manifest_path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json m = nlohmann::json::parse(text.str(), nullptr, false);
  if (!m.is_object()) return runtime_error(manifest_path + ": not a JSON object");
  const auto& split = m.value("split", nlohmann::json());
  if (!split.is_object() || !split.value("validation_fraction", nlohmann::json()).is_number())
    return runtime_error(
        manifest_path +
        ": split.validation_fraction: expected a number (was the data collected with a validation split?)");
  SplitSettings s;
  s.fraction = split["validation_fraction"].get<double>();
  auto by = parse_split_by(split.value("split_by", std::string("step")));
  if (!by.ok()) return runtime_error(manifest_path + ": split.split_by: " + by.error().message);
  s.by = *by;
  if (split.contains("seed") && split["seed"].is_number_unsigned()) s.seed = split["seed"].get<uint64_t>();
  const auto& filters = m.value("filters", nlohmann::json::object());
  if (filters.contains("request_kinds") && filters["request_kinds"].is_array())
    for (const auto& k : filters["request_kinds"])
      if (k.is_string()) s.kinds.push_back(request_kind_of(k.get<std::string>()));
  PT_ASSIGN_OR_RETURN(s.since_us,
                      manifest_time(filters.value("since", nlohmann::json()), manifest_path + ": filters.since"));
  PT_ASSIGN_OR_RETURN(s.until_us,
                      manifest_time(filters.value("until", nlohmann::json()), manifest_path + ": filters.until"));
  return s;
}

// "x/NAME-validation.jsonl" -> "x/NAME.manifest.json".
Result<std::string> manifest_for(const std::string& validation_file) {
  constexpr std::string_view suffix = "-validation.jsonl";
  if (validation_file.size() <= suffix.size() ||
      validation_file.compare(validation_file.size() - suffix.size(), suffix.size(), suffix) != 0)
    return usage_error(
        fmt::format("--split: expected a NAME-validation.jsonl file written by collect, not {}", validation_file));
  return manifest_path_for(validation_file.substr(0, validation_file.size() - suffix.size()));
}

// The newest-F window (store/newest_window.h, the same one `student train --holdout-newest F` holds out).
Result<std::vector<std::string>> newest_ids(Store& store, const EvalRelabelOptions& o, double fraction) {
  RowFilter f;
  f.since_us = o.since_us;
  f.until_us = o.until_us;
  PT_ASSIGN_OR_RETURN(NewestWindow w, newest_window(store, f, fraction));
  if (o.limit && static_cast<int64_t>(w.ids.size()) > *o.limit) w.ids.resize(static_cast<size_t>(*o.limit));
  return std::move(w.ids);
}

// Students among the candidates: how many selected traces each trained on (refused without `allow`).
Result<void> check_eval_relabel_overlap(Store& store, const CandidateProvenance& provenance, const RelabelOptions& ro,
                                        bool allow, EvalRelabelResult& result) {
  for (const auto& m : provenance.unknown)
    result.warnings.push_back(fmt::format(
        "{}: the model file records no training provenance; whether it trained on these traces is unknown", m));
  if (provenance.students.empty()) return ok();
  PT_ASSIGN_OR_RETURN(auto refs, select_trace_refs(store, ro));
  std::vector<std::string> ids;
  for (auto& r : refs) ids.push_back(std::move(r.id));
  PT_ASSIGN_OR_RETURN(result.students, check_training_overlap(provenance, ids, allow, "eval relabel"));
  for (auto& line : in_sample_lines(result.students)) result.warnings.push_back(std::move(line));
  return ok();
}

}  // namespace

Result<std::string> resolve_candidate(const std::string& model_id, const std::string& registry_path) {
  if (model_id.find(':') != std::string::npos) return model_id;
  std::string path = registry_path.empty() ? default_registry_path() : registry_path;
  PT_ASSIGN_OR_RETURN(Registry reg, load_registry(path));
  const Finetune* f = reg.find(model_id);
  if (!f) {
    std::string ids;
    for (const auto& e : reg.finetunes) ids += (ids.empty() ? "" : ", ") + e.id;
    return usage_error(
        fmt::format("unknown model '{}': not a provider id (anthropic:, openai:, gemini:, vertex:, local:) "
                    "and not in the registry {} ({})",
                    model_id, path, ids));
  }
  if (f->endpoint_id && !f->endpoint_id->empty()) return "vertex:" + *f->endpoint_id;
  if (f->tuned_model && !f->tuned_model->empty()) return "vertex:" + *f->tuned_model;
  return usage_error(fmt::format("finetune {} has no endpoint_id in {}; it cannot be called", model_id, path));
}

Result<std::unique_ptr<Model>> make_candidate_model(const std::string& model_id, const ModelOptions& options,
                                                    const std::string& registry_path) {
  PT_ASSIGN_OR_RETURN(std::string resolved, resolve_candidate(model_id, registry_path));
  PT_ASSIGN_OR_RETURN(auto inner, make_model(resolved, options));
  if (resolved == model_id) return inner;
  return alias_model(model_id, std::move(inner));
}

Result<std::vector<std::string>> validation_trace_ids(Store& store, const std::string& validation_file) {
  PT_ASSIGN_OR_RETURN(std::string manifest, manifest_for(validation_file));
  PT_ASSIGN_OR_RETURN(SplitSettings s, read_split(manifest));
  RowFilter f;
  f.type = std::string(kGetRelevantFiles);
  f.since_us = s.since_us;
  f.until_us = s.until_us;
  std::vector<std::string> ids;
  PT_TRY(store.scan(Table::traces, f, [&](Row&& row) {
    auto key = split_key(s.by, row.agent_step_id, row.user_id, row.id);
    if (!in_validation(sha256_hex(split_hash_input(key, s.seed)), s.fraction)) return true;
    if (!s.kinds.empty()) {
      auto call = parse_picker_call(row.payload);
      if (!call.ok() || std::find(s.kinds.begin(), s.kinds.end(), call->request_kind) == s.kinds.end()) return true;
    }
    ids.push_back(std::move(row.id));
    return true;
  }));
  return ids;
}

Result<EvalRelabelResult> run_eval_relabel(Store& store, const EvalRelabelOptions& o,
                                           const std::function<void(const EvalRelabelRun&)>& on_done) {
  if (o.models.empty()) return usage_error("eval relabel: --models needs at least one model id");
  if (o.newest && !(*o.newest > 0 && *o.newest <= 1))
    return usage_error(fmt::format("eval relabel: --newest must be a fraction in (0, 1], not {}", *o.newest));
  if (o.split_file && o.newest) return usage_error("eval relabel: use either --split or --newest, not both");
  std::vector<std::string> resolved;
  for (const auto& m : o.models) {
    PT_ASSIGN_OR_RETURN(std::string r, resolve_candidate(m, o.registry_path));
    resolved.push_back(std::move(r));
  }
  PT_ASSIGN_OR_RETURN(CandidateProvenance provenance, load_candidate_provenance(resolved));
  std::optional<double> newest = o.newest;
  if (!o.split_file && !newest && !o.since_us && !o.until_us && !o.limit) newest = default_newest(provenance);
  // Every model (and its API key) before the first paid call.
  std::vector<std::unique_ptr<Model>> models;
  for (size_t i = 0; i < o.models.size(); ++i) {
    PT_ASSIGN_OR_RETURN(auto inner, make_model(resolved[i], o.model));
    models.push_back(resolved[i] == o.models[i] ? std::move(inner) : alias_model(o.models[i], std::move(inner)));
  }
  EvalRelabelResult result;
  RelabelOptions ro = o.relabel;
  ro.since_us = o.since_us;
  ro.until_us = o.until_us;
  ro.limit = o.limit;
  if (o.split_file) {
    PT_ASSIGN_OR_RETURN(ro.trace_ids, validation_trace_ids(store, *o.split_file));
    if (ro.trace_ids.empty())
      return runtime_error(
          fmt::format("eval relabel: no stored trace falls on the validation side of {}", *o.split_file));
    result.selection = fmt::format("the {} traces of the validation split {}", ro.trace_ids.size(), *o.split_file);
  } else if (newest) {
    PT_ASSIGN_OR_RETURN(ro.trace_ids, newest_ids(store, o, *newest));
    if (ro.trace_ids.empty()) return runtime_error("eval relabel: no get-relevant-files trace selected");
    result.selection = fmt::format("the newest {} ({} traces){}", *newest, ro.trace_ids.size(),
                                   o.newest ? "" : ", the window the student held out");
  } else {
    result.selection = "every selected get-relevant-files trace";
  }
  PT_TRY(check_eval_relabel_overlap(store, provenance, ro, o.allow_training_overlap, result));
  int64_t answered = 0;  // by the models already run (done or failed)
  if (o.progress) o.progress->begin();
  for (size_t i = 0; i < o.models.size(); ++i) {
    std::unique_ptr<Model> model = std::move(models[i]);
    RelabelOptions run_options = ro;
    if (o.progress) {
      const int64_t later = static_cast<int64_t>(o.models.size() - i - 1);
      run_options.on_progress = [&o, &answered, later, inner = ro.on_progress](const RelabelTick& t) {
        if (inner) inner(t);
        o.progress->update(answered + t.done + t.failed, answered + t.total * (1 + later));
      };
    }
    PT_ASSIGN_OR_RETURN(RelabelSummary summary, run_relabel(store, *model, run_options));
    answered += summary.done + summary.failed;
    result.traces = std::max(result.traces, summary.selected);
    if (ro.budget_usd && !ro.dry_run) ro.budget_usd = *ro.budget_usd - summary.cost_usd;  // --budget covers all models
    EvalRelabelRun run{o.models[i], resolved[i], std::move(summary)};
    if (on_done) on_done(run);
    const bool stop = run.summary.stopped_by_signal || run.summary.stopped_by_auth || run.summary.stopped_by_budget;
    result.runs.push_back(std::move(run));
    if (stop) break;
  }
  if (o.progress) o.progress->finish(answered);
  return result;
}

}  // namespace pt
