// Implementation of report/finetune_views.h.
#include "report/finetune_views.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "providers/prices.h"

namespace pt {
namespace {

using nlohmann::json;

std::string money(std::optional<double> v) { return v ? fmt::format("${:.2f}", *v) : "-"; }
std::string num(std::optional<int64_t> v) { return v ? std::to_string(*v) : "-"; }
std::string mtok(std::optional<int64_t> v) { return v ? fmt::format("{:.1f}M", static_cast<double>(*v) / 1e6) : "-"; }

std::string recipe_flags(const Recipe& r) {
  std::string s;
  s += join_request_kinds(r.request_kinds, "+");
  if (r.with_file_context) s += " ctx";
  if (r.top_k) s += fmt::format(" top{}", *r.top_k);
  if (r.stop_dashes) s += " dashes";
  if (r.blobbify_history) s += " blob";
  return s;
}

std::string unknown_id(const Registry& reg, const std::string& id) {
  std::string known;
  for (const auto& f : reg.finetunes) known += (known.empty() ? "" : ", ") + f.id;
  return fmt::format("unknown finetune \"{}\" (known: {})", id, known);
}

}  // namespace

std::string render_finetune_list(const Registry& reg, const CostOptions& costs, bool as_json) {
  if (as_json) {
    std::string out;
    for (const auto& f : reg.finetunes) {
      json j = json::parse(finetune_to_json(f));
      auto cost = tuning_cost_usd(f, costs.tuning_price_per_mtok);
      j["est_tuning_cost_usd"] = cost ? json(*cost) : json(nullptr);
      out += j.dump() + "\n";
    }
    return out;
  }
  std::string out = fmt::format("{:<24} {:<10} {:<22} {:<26} {:>7} {:>8} {:>6}  {:<24} {:>10}\n", "id", "date", "base",
                                "teacher", "samples", "tokens", "epochs", "recipe", "tuning $");
  for (const auto& f : reg.finetunes)
    out += fmt::format("{:<24} {:<10} {:<22} {:<26} {:>7} {:>8} {:>6}  {:<24} {:>10}\n", f.id, f.date, f.base_model,
                       f.teacher, num(f.train_samples), mtok(f.tokens), num(f.epochs), recipe_flags(f.recipe),
                       money(tuning_cost_usd(f, costs.tuning_price_per_mtok)));
  return out;
}

Result<std::string> render_finetune_show(const Registry& reg, const std::string& id, bool as_json) {
  const Finetune* f = reg.find(id);
  if (!f) return usage_error(unknown_id(reg, id));
  if (as_json) return finetune_to_json(*f) + "\n";
  json j = json::parse(finetune_to_json(*f));
  std::string out;
  for (auto& [k, v] : j.items()) {
    if (k == "notes" || k == "est_costs_as_written" || k == "recipe") continue;
    out += fmt::format("{:<20} {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  out += fmt::format("{:<20} {}\n", "recipe",
                     recipe_flags(f->recipe) + (f->recipe.adapter_size ? " adapter=" + *f->recipe.adapter_size : ""));
  out += "notes:\n";
  for (const auto& n : f->notes) out += "  - " + n + "\n";
  out += "costs as written:\n";
  for (const auto& c : f->est_costs_as_written) out += "  - " + c + "\n";
  return out;
}

// Relabel cost lower bound: the training tokens priced as the teacher's input (file context,
// answers and retries come on top), from the price table; nullopt when unknown.
std::optional<double> relabel_input_cost_usd(const Finetune& f) {
  auto table = PriceTable::shared();
  if (!table.ok() || !f.tokens) return std::nullopt;
  auto price = (*table)->find(f.teacher);
  if (!price.ok()) return std::nullopt;
  return price->input * static_cast<double>(*f.tokens) / 1e6;
}

std::string render_finetune_costs(const Registry& reg, const CostOptions& costs, bool as_json) {
  std::string out;
  if (!as_json)
    out = fmt::format("{:<24} {:>8} {:>6} {:>12} {:>12}  {}\n", "id", "tokens", "epochs", "tuning",
                      "relabel>=", "as written");
  for (const auto& f : reg.finetunes) {
    auto cost = tuning_cost_usd(f, costs.tuning_price_per_mtok);
    auto relabel = relabel_input_cost_usd(f);
    if (as_json) {
      json j = {{"id", f.id},
                {"tokens", f.tokens ? json(*f.tokens) : json(nullptr)},
                {"epochs", f.epochs ? json(*f.epochs) : json(nullptr)},
                {"price_per_mtok", costs.tuning_price_per_mtok},
                {"tuning_cost_usd", cost ? json(*cost) : json(nullptr)},
                {"relabel_input_cost_usd", relabel ? json(*relabel) : json(nullptr)},
                {"as_written", f.est_costs_as_written}};
      out += j.dump() + "\n";
      continue;
    }
    for (size_t i = 0; i < std::max<size_t>(1, f.est_costs_as_written.size()); ++i) {
      std::string written = i < f.est_costs_as_written.size() ? f.est_costs_as_written[i] : "";
      if (i == 0)
        out += fmt::format("{:<24} {:>8} {:>6} {:>12} {:>12}  {}\n", f.id, mtok(f.tokens), num(f.epochs), money(cost),
                           money(relabel), written);
      else
        out += fmt::format("{:<24} {:>8} {:>6} {:>12} {:>12}  {}\n", "", "", "", "", "", written);
    }
  }
  return out;
}

std::string render_findings(const std::vector<Finding>& findings, bool as_json) {
  std::string out;
  for (const auto& f : findings) {
    if (as_json)
      out += json({{"id", f.id}, {"kind", f.kind}, {"reason", f.reason}}).dump() + "\n";
    else
      out += fmt::format("{}: {}: {}\n", f.id, f.kind, f.reason);
  }
  if (!as_json) out += fmt::format("{} finding(s)\n", findings.size());
  return out;
}

Result<std::string> render_finetune_diff(const Registry& reg, const std::string& a, const std::string& b,
                                         bool as_json) {
  const Finetune* fa = reg.find(a);
  if (!fa) return usage_error(unknown_id(reg, a));
  const Finetune* fb = reg.find(b);
  if (!fb) return usage_error(unknown_id(reg, b));
  std::string out;
  for (const auto& c : diff_finetunes(*fa, *fb)) {
    if (as_json)
      out += json({{"field", c.field}, {"from", c.from}, {"to", c.to}}).dump() + "\n";
    else
      out += fmt::format("{:<26} {} -> {}\n", c.field, c.from, c.to);
  }
  if (out.empty() && !as_json) out = fmt::format("{} and {} have the same data, recipe, epochs and teacher\n", a, b);
  return out;
}

}  // namespace pt
