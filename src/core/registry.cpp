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
  PT_ASSIGN_OR_RETURN(std::vector<std::string> kinds, r.strings("request_kinds"));
  if (kinds.empty()) return r.bad("request_kinds", "must list Key and/or Non-Obvious");
  recipe.request_kinds.clear();
  for (size_t i = 0; i < kinds.size(); ++i) {
    RequestKind kind = request_kind_of(kinds[i]);
    if (!is_known(kind))
      return r.bad(fmt::format("request_kinds[{}]", i), fmt::format("unknown request kind \"{}\"", kinds[i]));
    recipe.request_kinds.push_back(kind);
  }
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

// A registry entry's fields by JSON type (docs/formats.md#registry). The text fields are required;
// unset optional ones are written as null, except the tuning-job fields, which are left out.
struct TextField {
  const char* key;
  std::string Finetune::*member;
};
struct OptionalTextField {
  const char* key;
  std::optional<std::string> Finetune::*member;
  bool omitted_when_unset;
};
struct OptionalIntField {
  const char* key;
  std::optional<int64_t> Finetune::*member;
};
constexpr TextField kTextFields[] = {{"id", &Finetune::id},
                                     {"date", &Finetune::date},
                                     {"base_model", &Finetune::base_model},
                                     {"teacher", &Finetune::teacher}};
constexpr OptionalTextField kOptionalTextFields[] = {{"endpoint_id", &Finetune::endpoint_id, false},
                                                     {"train_file", &Finetune::train_file, false},
                                                     {"validation_file", &Finetune::validation_file, false},
                                                     {"provider", &Finetune::provider, true},
                                                     {"job_name", &Finetune::job_name, true},
                                                     {"status", &Finetune::status, true},
                                                     {"tuned_model", &Finetune::tuned_model, true}};
constexpr OptionalIntField kOptionalIntFields[] = {{"train_samples", &Finetune::train_samples},
                                                   {"validation_samples", &Finetune::validation_samples},
                                                   {"tokens", &Finetune::tokens},
                                                   {"epochs", &Finetune::epochs}};

bool known_field(const std::string& key) {
  for (const char* k : {"recipe", "notes", "est_costs_as_written", "learning_rate_multiplier"})
    if (key == k) return true;
  for (const auto& f : kTextFields)
    if (key == f.key) return true;
  for (const auto& f : kOptionalTextFields)
    if (key == f.key) return true;
  for (const auto& f : kOptionalIntFields)
    if (key == f.key) return true;
  return false;
}

Result<Finetune> read_finetune(const json& obj, const std::string& where) {
  Reader r{obj, where};
  for (auto& [k, v] : obj.items())
    if (!known_field(k)) return r.bad(k, "unknown field");
  Finetune f;
  for (const auto& field : kTextFields) {
    PT_ASSIGN_OR_RETURN(f.*field.member, r.str(field.key));
  }
  if (f.id.empty()) return r.bad("id", "must not be empty");
  for (const auto& field : kOptionalTextFields) {
    PT_ASSIGN_OR_RETURN(f.*field.member, r.opt_str(field.key));
  }
  for (const auto& field : kOptionalIntFields) {
    PT_ASSIGN_OR_RETURN(f.*field.member, r.opt_int(field.key));
  }
  PT_ASSIGN_OR_RETURN(f.recipe, read_recipe(r));
  PT_ASSIGN_OR_RETURN(f.notes, r.strings("notes"));
  PT_ASSIGN_OR_RETURN(f.est_costs_as_written, r.strings("est_costs_as_written"));
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
  json j = json::object();
  for (const auto& field : kTextFields) j[field.key] = f.*field.member;
  for (const auto& field : kOptionalTextFields)
    if (!field.omitted_when_unset || f.*field.member) j[field.key] = opt(f.*field.member);
  for (const auto& field : kOptionalIntFields) j[field.key] = opt(f.*field.member);
  j["recipe"] = {{"request_kinds", request_kind_names(f.recipe.request_kinds)},
                 {"with_file_context", f.recipe.with_file_context},
                 {"top_k", opt(f.recipe.top_k)},
                 {"stop_dashes", f.recipe.stop_dashes},
                 {"blobbify_history", f.recipe.blobbify_history},
                 {"adapter_size", opt(f.recipe.adapter_size)}};
  j["notes"] = f.notes;
  j["est_costs_as_written"] = f.est_costs_as_written;
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
