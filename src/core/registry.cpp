// Implementation of core/registry.h: JSON (nlohmann) <-> Finetune with field-level errors,
// cost-line parsing, and the consistency checks behind `finetunes check`.
#include "core/registry.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

namespace pt {
namespace {

using nlohmann::json;

struct Reader {
  const json& obj;
  std::string where;  // "SOURCE: finetunes[i] (ID)"

  Error bad(std::string_view field, std::string_view why) const {
    return runtime_error(fmt::format("{}.{}: {}", where, field, why));
  }
  Result<std::string> str(const char* key, bool required = true) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) return bad(key, "missing");
      return std::string();
    }
    if (!it->is_string()) return bad(key, "expected a string");
    return it->get<std::string>();
  }
  Result<std::optional<std::string>> opt_str(const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) return bad(key, "expected a string or null");
    return std::optional<std::string>(it->get<std::string>());
  }
  Result<std::optional<int64_t>> opt_int(const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
    if (!it->is_number_integer() && !it->is_number_unsigned()) return bad(key, "expected an integer or null");
    int64_t v = it->get<int64_t>();
    if (v < 0) return bad(key, "must not be negative");
    return std::optional<int64_t>(v);
  }
  Result<std::vector<std::string>> strings(const char* key) const {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array()) return bad(key, "expected an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) return bad(fmt::format("{}[{}]", key, i), "expected a string");
      out.push_back((*it)[i].get<std::string>());
    }
    return out;
  }
};

Result<Recipe> read_recipe(const Reader& parent) {
  auto it = parent.obj.find("recipe");
  if (it == parent.obj.end()) return parent.bad("recipe", "missing");
  if (!it->is_object()) return parent.bad("recipe", "expected an object");
  Reader r{*it, parent.where + ".recipe"};
  static const std::set<std::string> known = {"request_kinds", "with_file_context", "top_k",
                                              "stop_dashes",   "blobbify_history",  "adapter_size"};
  for (auto& [k, v] : it->items())
    if (!known.count(k)) return r.bad(k, "unknown field");
  Recipe recipe;
  PT_ASSIGN_OR_RETURN(recipe.request_kinds, r.strings("request_kinds"));
  if (recipe.request_kinds.empty()) return r.bad("request_kinds", "must list Key and/or Non-Obvious");
  for (size_t i = 0; i < recipe.request_kinds.size(); ++i)
    if (recipe.request_kinds[i] != "Key" && recipe.request_kinds[i] != "Non-Obvious")
      return r.bad(fmt::format("request_kinds[{}]", i),
                   fmt::format("unknown request kind \"{}\"", recipe.request_kinds[i]));
  for (auto [key, dest] :
       {std::pair{"with_file_context", &recipe.with_file_context}, std::pair{"stop_dashes", &recipe.stop_dashes},
        std::pair{"blobbify_history", &recipe.blobbify_history}}) {
    auto f = it->find(key);
    if (f == it->end() || f->is_null()) continue;
    if (!f->is_boolean()) return r.bad(key, "expected true or false");
    *dest = f->get<bool>();
  }
  PT_ASSIGN_OR_RETURN(auto top_k, r.opt_int("top_k"));
  if (top_k) {
    if (*top_k < 1) return r.bad("top_k", "must be at least 1");
    recipe.top_k = static_cast<int>(*top_k);
  }
  PT_ASSIGN_OR_RETURN(recipe.adapter_size, r.opt_str("adapter_size"));
  return recipe;
}

Result<Finetune> read_finetune(const json& obj, const std::string& where) {
  static const std::set<std::string> known = {"id",
                                              "endpoint_id",
                                              "date",
                                              "train_file",
                                              "validation_file",
                                              "train_samples",
                                              "validation_samples",
                                              "tokens",
                                              "epochs",
                                              "base_model",
                                              "teacher",
                                              "recipe",
                                              "notes",
                                              "est_costs_as_written",
                                              "provider",
                                              "job_name",
                                              "status",
                                              "tuned_model",
                                              "learning_rate_multiplier"};
  Reader r{obj, where};
  for (auto& [k, v] : obj.items())
    if (!known.count(k)) return r.bad(k, "unknown field");
  Finetune f;
  PT_ASSIGN_OR_RETURN(f.id, r.str("id"));
  if (f.id.empty()) return r.bad("id", "must not be empty");
  PT_ASSIGN_OR_RETURN(f.endpoint_id, r.opt_str("endpoint_id"));
  PT_ASSIGN_OR_RETURN(f.date, r.str("date"));
  PT_ASSIGN_OR_RETURN(f.train_file, r.opt_str("train_file"));
  PT_ASSIGN_OR_RETURN(f.validation_file, r.opt_str("validation_file"));
  PT_ASSIGN_OR_RETURN(f.train_samples, r.opt_int("train_samples"));
  PT_ASSIGN_OR_RETURN(f.validation_samples, r.opt_int("validation_samples"));
  PT_ASSIGN_OR_RETURN(f.tokens, r.opt_int("tokens"));
  PT_ASSIGN_OR_RETURN(f.epochs, r.opt_int("epochs"));
  PT_ASSIGN_OR_RETURN(f.base_model, r.str("base_model"));
  PT_ASSIGN_OR_RETURN(f.teacher, r.str("teacher"));
  PT_ASSIGN_OR_RETURN(f.recipe, read_recipe(r));
  PT_ASSIGN_OR_RETURN(f.notes, r.strings("notes"));
  PT_ASSIGN_OR_RETURN(f.est_costs_as_written, r.strings("est_costs_as_written"));
  PT_ASSIGN_OR_RETURN(f.provider, r.opt_str("provider"));
  PT_ASSIGN_OR_RETURN(f.job_name, r.opt_str("job_name"));
  PT_ASSIGN_OR_RETURN(f.status, r.opt_str("status"));
  PT_ASSIGN_OR_RETURN(f.tuned_model, r.opt_str("tuned_model"));
  if (auto it = obj.find("learning_rate_multiplier"); it != obj.end() && !it->is_null()) {
    if (!it->is_number()) return r.bad("learning_rate_multiplier", "expected a number");
    f.learning_rate_multiplier = it->get<double>();
  }
  if (f.date.size() != 10 || f.date[4] != '-' || f.date[7] != '-') return r.bad("date", "expected YYYY-MM-DD");
  return f;
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json to_json(const Finetune& f) {
  json recipe = {{"request_kinds", f.recipe.request_kinds},
                 {"with_file_context", f.recipe.with_file_context},
                 {"top_k", opt(f.recipe.top_k)},
                 {"stop_dashes", f.recipe.stop_dashes},
                 {"blobbify_history", f.recipe.blobbify_history},
                 {"adapter_size", opt(f.recipe.adapter_size)}};
  json j = json::object();
  j["id"] = f.id;
  j["endpoint_id"] = opt(f.endpoint_id);
  j["date"] = f.date;
  j["train_file"] = opt(f.train_file);
  j["validation_file"] = opt(f.validation_file);
  j["train_samples"] = opt(f.train_samples);
  j["validation_samples"] = opt(f.validation_samples);
  j["tokens"] = opt(f.tokens);
  j["epochs"] = opt(f.epochs);
  j["base_model"] = f.base_model;
  j["teacher"] = f.teacher;
  j["recipe"] = recipe;
  j["notes"] = f.notes;
  j["est_costs_as_written"] = f.est_costs_as_written;
  if (f.provider) j["provider"] = *f.provider;
  if (f.job_name) j["job_name"] = *f.job_name;
  if (f.status) j["status"] = *f.status;
  if (f.tuned_model) j["tuned_model"] = *f.tuned_model;
  if (f.learning_rate_multiplier) j["learning_rate_multiplier"] = *f.learning_rate_multiplier;
  return j;
}

}  // namespace

const Finetune* Registry::find(std::string_view id) const {
  for (const auto& f : finetunes)
    if (f.id == id) return &f;
  return nullptr;
}

Result<Registry> parse_registry(std::string_view text, std::string_view source) {
  json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return runtime_error(fmt::format("{}: invalid JSON", source));
  if (!root.is_object()) return runtime_error(fmt::format("{}: expected a JSON object", source));
  Registry reg;
  if (auto it = root.find("schema_version"); it != root.end()) {
    if (!it->is_number_integer()) return runtime_error(fmt::format("{}: schema_version: expected an integer", source));
    reg.schema_version = it->get<int>();
    if (reg.schema_version != 1)
      return runtime_error(
          fmt::format("{}: schema_version {} is not supported (this picktune reads 1)", source, reg.schema_version));
  }
  if (auto it = root.find("note"); it != root.end() && it->is_string()) reg.note = it->get<std::string>();
  auto list = root.find("finetunes");
  if (list == root.end() || !list->is_array())
    return runtime_error(fmt::format("{}: finetunes: expected an array", source));
  std::set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    std::string where = fmt::format("{}: finetunes[{}]", source, i);
    if (!e.is_object()) return runtime_error(where + ": expected an object");
    if (auto id = e.find("id"); id != e.end() && id->is_string()) where += fmt::format(" ({})", id->get<std::string>());
    PT_ASSIGN_OR_RETURN(auto f, read_finetune(e, where));
    if (!ids.insert(f.id).second) return runtime_error(fmt::format("{}.id: duplicate id \"{}\"", where, f.id));
    reg.finetunes.push_back(std::move(f));
  }
  return reg;
}

std::string finetune_to_json(const Finetune& f, int indent) { return to_json(f).dump(indent); }

std::string registry_to_json(const Registry& reg) {
  json j = json::object();
  j["schema_version"] = reg.schema_version;
  if (!reg.note.empty()) j["note"] = reg.note;
  j["finetunes"] = json::array();
  for (const auto& f : reg.finetunes) j["finetunes"].push_back(to_json(f));
  return j.dump(2) + "\n";
}

std::optional<double> tuning_cost_usd(const Finetune& f, double price_per_mtok) {
  if (!f.tokens || !f.epochs) return std::nullopt;
  return price_per_mtok * static_cast<double>(*f.epochs) * static_cast<double>(*f.tokens) / 1e6;
}

}  // namespace pt
