// Implementation of pipeline/tune/tune_jobs.h: resolves the data and recipe, reads the collect
// manifest for samples/tokens, submits through a TuneBackend, and records every state change in
// the registry file (atomically).
#include "pipeline/tune/tune_jobs.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pipeline/registry/registry_file.h"
#include "pipeline/tune/tuning_file_check.h"
#include "providers/tuning/tune_backend.h"

namespace pt {

namespace {

using nlohmann::json;

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (name.empty() || name[0] == '/' || dir.empty() || dir == ".") return name;
  return dir + "/" + name;
}

// PREFIX.jsonl -> PREFIX.manifest.json (written by collect).
std::string manifest_path_of(const std::string& train_path) {
  std::string prefix = train_path;
  if (prefix.size() > 6 && prefix.substr(prefix.size() - 6) == ".jsonl") prefix.resize(prefix.size() - 6);
  return prefix + ".manifest.json";
}

std::optional<json> read_manifest(const std::string& train_path) {
  std::ifstream in(manifest_path_of(train_path));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

std::optional<int64_t> json_int(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) return std::nullopt;
    cur = &(*cur)[key];
  }
  if (!cur->is_number_integer()) return std::nullopt;
  return cur->get<int64_t>();
}

std::string file_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

Result<Finetune*> find_mutable(Registry& reg, const std::string& id) {
  for (auto& f : reg.finetunes)
    if (f.id == id) return &f;
  return usage_error(fmt::format("unknown finetune \"{}\"", id));
}

VertexTuneTarget vertex_target(const TuneSubmitOptions& o) { return {o.bucket, o.project, o.location}; }

// "anthropic:claude-opus-4-20250514" and "claude-opus-4-20250514" name one teacher.
std::string_view bare_model(std::string_view id) {
  size_t colon = id.find(':');
  return colon == std::string_view::npos ? id : id.substr(colon + 1);
}

// The teacher recorded for the finetune: --teacher, else the manifest's, else the recipe's; a
// recipe and a manifest that disagree are refused (the recipe's would misdescribe the data).
Result<std::string> pick_teacher(const TuneSubmitOptions& o, const std::string& recipe_teacher,
                                 const std::string& manifest_teacher, const std::string& manifest_path) {
  auto note = [&](const std::string& teacher, const std::string& source) {
    if (o.diagnostics) o.diagnostics->note("tune/teacher", fmt::format("teacher {} ({})", teacher, source));
    return teacher;
  };
  if (!o.teacher.empty()) return note(o.teacher, "from --teacher");
  if (!manifest_teacher.empty() && !recipe_teacher.empty() &&
      bare_model(manifest_teacher) != bare_model(recipe_teacher))
    return usage_error(fmt::format(
        "teacher conflict: recipe {} names {} but {} says the data was collected from {}; pass --teacher to choose",
        o.recipe.value_or(""), recipe_teacher, manifest_path, manifest_teacher));
  if (!manifest_teacher.empty()) return note(manifest_teacher, "from " + manifest_path);
  if (!recipe_teacher.empty()) return note(recipe_teacher, "from recipe " + o.recipe.value_or(""));
  return note("unknown", "no --teacher, manifest or recipe names one");
}

Result<void> apply_state(Finetune& f, const TuneJobState& s) {
  f.status = s.state;
  if (s.state == "succeeded") {
    if (!s.endpoint_id.empty()) f.endpoint_id = s.endpoint_id;
    if (!s.tuned_model.empty()) f.tuned_model = s.tuned_model;
  }
  return ok();
}

}  // namespace

Result<Finetune> tune_submit(const TuneSubmitOptions& o) {
  PT_ASSIGN_OR_RETURN(Registry reg, load_registry(o.registry_path));
  if (o.new_id.empty()) return usage_error("tune submit needs --id NEW_ID");
  if (reg.find(o.new_id))
    return usage_error(fmt::format("finetune \"{}\" already exists in {}", o.new_id, o.registry_path));
  Finetune f;
  f.id = o.new_id;
  f.date = o.today;
  f.provider = o.provider;
  std::string train = o.train_file, validation = o.validation_file;
  if (o.recipe) {
    const Finetune* base = reg.find(*o.recipe);
    if (!base) return usage_error(fmt::format("unknown recipe \"{}\" (not in the registry)", *o.recipe));
    f.recipe = base->recipe;
    f.base_model = base->base_model;
    f.teacher = base->teacher;
    f.epochs = base->epochs;
    if (train.empty() && base->train_file) train = join_path(o.data_dir, *base->train_file);
    if (validation.empty() && base->validation_file && base->validation_file != base->train_file)
      validation = join_path(o.data_dir, *base->validation_file);
    f.notes.push_back(fmt::format("Recipe of {}", base->id));
  }
  if (train.empty()) return usage_error("tune submit needs --recipe ID or --train FILE");
  if (!file_exists(train)) return usage_error(fmt::format("{}: training file not found", train));
  if (!validation.empty() && !file_exists(validation))
    return usage_error(fmt::format("{}: validation file not found", validation));
  if (!validation.empty() && file_name(validation) == file_name(train))
    return usage_error(fmt::format("the validation file is the training file ({})", train));
  PT_TRY(check_tuning_file(train, o.provider));
  if (!validation.empty()) PT_TRY(check_tuning_file(validation, o.provider));
  if (o.epochs) f.epochs = *o.epochs;
  if (o.adapter_size) f.recipe.adapter_size = *o.adapter_size;
  f.learning_rate_multiplier = o.lr_multiplier;
  if (!o.base_model.empty()) f.base_model = o.base_model;
  if (f.base_model.empty()) f.base_model = o.provider == "openai" ? "gpt-4.1-mini-2025-04-14" : "gemini-2.0-flash-001";
  std::string manifest_teacher;
  if (auto m = read_manifest(train)) {
    f.train_samples = json_int(*m, {"samples"});
    f.validation_samples = json_int(*m, {"validation_samples"});
    f.tokens = json_int(*m, {"tokens", "train"});
    if (m->contains("teacher") && (*m)["teacher"].is_string()) manifest_teacher = (*m)["teacher"].get<std::string>();
  }
  PT_ASSIGN_OR_RETURN(f.teacher, pick_teacher(o, f.teacher, manifest_teacher, manifest_path_of(train)));
  f.train_file = file_name(train);
  if (!validation.empty()) f.validation_file = file_name(validation);

  PT_ASSIGN_OR_RETURN(auto backend, make_tune_backend(o.provider, vertex_target(o)));
  TuneJobSpec spec;
  spec.base_model = f.base_model;
  spec.display_name = f.id;
  spec.epochs = f.epochs;
  spec.adapter_size = o.provider == "vertex" ? f.recipe.adapter_size : std::nullopt;
  spec.lr_multiplier = f.learning_rate_multiplier;
  PT_ASSIGN_OR_RETURN(spec.train_uri, backend->upload(train));
  if (!validation.empty()) {
    PT_ASSIGN_OR_RETURN(spec.validation_uri, backend->upload(validation));
  }
  PT_ASSIGN_OR_RETURN(std::string job, backend->create(spec));
  f.job_name = job;
  f.status = "pending";
  reg.finetunes.push_back(f);
  PT_TRY(save_registry(reg, o.registry_path));
  return f;
}

Result<TuneJobState> tune_status(const std::string& registry_path, const std::string& id) {
  PT_ASSIGN_OR_RETURN(Registry reg, load_registry(registry_path));
  PT_ASSIGN_OR_RETURN(Finetune * f, find_mutable(reg, id));
  if (!f->job_name || !f->provider)
    return usage_error(fmt::format("{} has no tuning job recorded (not submitted by picktune)", id));
  TuneSubmitOptions o;
  PT_ASSIGN_OR_RETURN(auto backend, make_tune_backend(*f->provider, vertex_target(o)));
  PT_ASSIGN_OR_RETURN(TuneJobState s, backend->poll(*f->job_name));
  if (f->status != s.state || (s.state == "succeeded" && !f->endpoint_id && !f->tuned_model)) {
    PT_TRY(apply_state(*f, s));
    PT_TRY(save_registry(reg, registry_path));
  }
  return s;
}

Result<TuneJobState> tune_wait(const std::string& registry_path, const std::string& id, double poll_s, double timeout_s,
                               const std::function<void(const TuneJobState&)>& progress) {
  auto start = std::chrono::steady_clock::now();
  double delay = std::max(0.01, poll_s);
  while (true) {
    PT_ASSIGN_OR_RETURN(TuneJobState s, tune_status(registry_path, id));
    if (progress) progress(s);
    if (s.state == "succeeded") return s;
    if (s.state == "failed" || s.state == "cancelled")
      return runtime_error(
          fmt::format("tuning job of {} {}: {}", id, s.state, s.error.empty() ? s.provider_state : s.error));
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed + delay > timeout_s)
      return runtime_error(fmt::format("tune wait {}: still {} after {:.0f} s (run `picktune tune wait {}` again)", id,
                                       s.state, elapsed, id));
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    delay = std::min(delay * 2, 60.0);
  }
}

}  // namespace pt
