// `finetunes check` and `finetunes diff` logic: cost lines parsed from the seed's own words and
// compared with each entry's tokens/epochs, plus generic rules tying the notes to the recipe.
#include <fmt/format.h>

#include <cmath>
#include <regex>

#include "core/registry.h"
#include "util/ascii.h"

namespace pt {
namespace {

std::string fmt_opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "unknown"; }
std::string fmt_opt(const std::optional<std::string>& v) { return v ? *v : "none"; }
std::string fmt_mtok(double m) { return fmt::format("{:g}M", m); }

bool near(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

void check_cost_lines(const Finetune& f, std::vector<Finding>& out) {
  for (const auto& text : f.est_costs_as_written) {
    CostLine line = parse_cost_line(text);
    if (!line.finetuning || !line.price_per_mtok || !line.epochs || !line.mtokens) continue;
    std::vector<std::string> diffs;
    if (!f.epochs || std::lround(*line.epochs) != *f.epochs)
      diffs.push_back(fmt::format("{:g} epoch(s) where the entry has {}", *line.epochs, fmt_opt(f.epochs)));
    if (!f.tokens || !near(*line.mtokens * 1e6, static_cast<double>(*f.tokens), 0.005))
      diffs.push_back(fmt::format("{} tokens where the entry has {}", fmt_mtok(*line.mtokens),
                                  f.tokens ? fmt_mtok(static_cast<double>(*f.tokens) / 1e6) : "unknown"));
    if (!diffs.empty()) {
      std::string joined;
      for (const auto& d : diffs) joined += (joined.empty() ? "" : " and ") + d;
      out.push_back({f.id, "cost-inputs", fmt::format("cost line \"{}\" uses {}", text, joined)});
    }
    double product = *line.price_per_mtok * *line.epochs * *line.mtokens;
    if (line.stated_usd && !near(*line.stated_usd, product, line.approximate ? 0.15 : 0.01))
      out.push_back({f.id, "cost-arithmetic",
                     fmt::format("cost line \"{}\" states ${:g} but its own formula gives ${:.2f}", text,
                                 *line.stated_usd, product)});
  }
}

// Another registry entry named in the notes ("Like ft_filepicker_topk_001 ...").
const Finetune* referenced_entry(const Registry& reg, const Finetune& f) {
  for (const auto& note : f.notes)
    for (const auto& other : reg.finetunes)
      if (other.id != f.id && note.find(other.id) != std::string::npos) return &other;
  return nullptr;
}

void check_notes(const Registry& reg, const Finetune& f, std::vector<Finding>& out) {
  static const std::regex epochs_re(R"((\d+) epochs?\b)");
  static const std::regex topk_re(R"(\btop-(\d+)\b)");
  const Finetune* ref = referenced_entry(reg, f);
  auto flag = [&](const std::string& note, std::string why) {
    out.push_back({f.id, "notes-vs-recipe", fmt::format("note \"{}\": {}", note, why)});
  };
  for (const auto& note : f.notes) {
    std::string l = ascii_lower(note);
    std::smatch m;
    if (std::regex_search(l, m, epochs_re) && f.epochs && std::stoll(m[1]) != *f.epochs)
      flag(note, fmt::format("says {} epoch(s), the entry has {}", m[1].str(), *f.epochs));
    if (std::regex_search(l, m, topk_re) && f.recipe.top_k != std::stoi(m[1]))
      flag(note, fmt::format("says top-{}, the recipe's top_k is {}", m[1].str(),
                             f.recipe.top_k ? std::to_string(*f.recipe.top_k) : "unset"));
    if (l.find("maximum adapter size") != std::string::npos && f.recipe.adapter_size != "max")
      flag(note, "says maximum adapter size, the recipe's adapter_size is not max");
    if (l.find("dashes") != std::string::npos && !f.recipe.stop_dashes)
      flag(note, "mentions dash lines, the recipe has stop_dashes false");
    if ((l.find("blobbif") != std::string::npos || l.find("previous_assistant_message") != std::string::npos) &&
        !f.recipe.blobbify_history)
      flag(note, "mentions blobbified history, the recipe has blobbify_history false");
    if (l.find("file context") != std::string::npos && l.find("additional") != std::string::npos &&
        !f.recipe.with_file_context)
      flag(note, "mentions additional file context, the recipe has with_file_context false");
    const bool only_key = f.recipe.request_kinds == std::vector<RequestKind>{RequestKind::key};
    if (l.find("only key") != std::string::npos && !only_key)
      flag(note, "says only Key traces, the recipe's request_kinds differ");
    if (ref && l.find("fewer epochs") != std::string::npos && f.epochs && ref->epochs && *f.epochs >= *ref->epochs)
      flag(note, fmt::format("says fewer epochs than {}, but both have {} vs {}", ref->id, *f.epochs, *ref->epochs));
    if (ref && l.find("less data") != std::string::npos && f.train_samples && ref->train_samples &&
        *f.train_samples >= *ref->train_samples)
      flag(note, fmt::format("says less data than {}, but samples are {} vs {}", ref->id, *f.train_samples,
                             *ref->train_samples));
    if (ref && l.find("more data") != std::string::npos && f.train_samples && ref->train_samples &&
        *f.train_samples <= *ref->train_samples)
      flag(note, fmt::format("says more data than {}, but samples are {} vs {}", ref->id, *f.train_samples,
                             *ref->train_samples));
  }
}

std::optional<double> number_after(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return std::stod(m[1]);
}

}  // namespace

CostLine parse_cost_line(std::string_view text) {
  static const std::regex stated_re(R"((~|about |over |)\$(\d+(?:\.\d+)?)(K?)\b)", std::regex::icase);
  static const std::regex price_re(R"(\$(\d+(?:\.\d+)?)/1M)");
  static const std::regex epochs_re(R"((\d+(?:\.\d+)?) epochs?\b)");
  static const std::regex mtok_re(R"([*\s](\d+(?:\.\d+)?)M tokens)");
  CostLine line;
  line.text = std::string(text);
  std::string s = line.text;
  std::string head = s.substr(0, s.find('('));
  std::smatch m;
  if (std::regex_search(head, m, stated_re)) {
    line.stated_usd = std::stod(m[2]) * (m[3].length() ? 1000.0 : 1.0);
    line.approximate = m[1].length() > 0;
  }
  line.finetuning = ascii_lower(head).find("finetun") != std::string::npos;
  line.price_per_mtok = number_after(s, price_re);
  line.epochs = number_after(s, epochs_re);
  line.mtokens = number_after(s, mtok_re);
  return line;
}

std::vector<Finding> check_registry(const Registry& reg) {
  std::vector<Finding> out;
  for (const auto& f : reg.finetunes) {
    if (!f.tokens) out.push_back({f.id, "unknown-tokens", "token count unknown: tuning cost cannot be computed"});
    if (!f.epochs) out.push_back({f.id, "unknown-epochs", "epoch count unknown: tuning cost cannot be computed"});
    if (f.train_file && f.validation_file && *f.train_file == *f.validation_file)
      out.push_back(
          {f.id, "validation-is-training", fmt::format("validation file is the training file ({})", *f.train_file)});
    if (f.validation_samples && !f.validation_file)
      out.push_back({f.id, "validation-without-file", "validation samples given but no validation file"});
    check_cost_lines(f, out);
    check_notes(reg, f, out);
  }
  return out;
}

std::vector<FieldChange> diff_finetunes(const Finetune& a, const Finetune& b) {
  std::vector<FieldChange> out;
  auto add = [&](const char* field, const std::string& x, const std::string& y) {
    if (x != y) out.push_back({field, x, y});
  };
  auto kinds = [](const Recipe& r) { return join_request_kinds(r.request_kinds, ","); };
  auto topk = [](const Recipe& r) { return r.top_k ? std::to_string(*r.top_k) : std::string("none"); };
  add("base_model", a.base_model, b.base_model);
  add("teacher", a.teacher, b.teacher);
  add("train_file", fmt_opt(a.train_file), fmt_opt(b.train_file));
  add("validation_file", fmt_opt(a.validation_file), fmt_opt(b.validation_file));
  add("train_samples", fmt_opt(a.train_samples), fmt_opt(b.train_samples));
  add("validation_samples", fmt_opt(a.validation_samples), fmt_opt(b.validation_samples));
  add("tokens", fmt_opt(a.tokens), fmt_opt(b.tokens));
  add("epochs", fmt_opt(a.epochs), fmt_opt(b.epochs));
  add("recipe.request_kinds", kinds(a.recipe), kinds(b.recipe));
  add("recipe.with_file_context", a.recipe.with_file_context ? "true" : "false",
      b.recipe.with_file_context ? "true" : "false");
  add("recipe.top_k", topk(a.recipe), topk(b.recipe));
  add("recipe.stop_dashes", a.recipe.stop_dashes ? "true" : "false", b.recipe.stop_dashes ? "true" : "false");
  add("recipe.blobbify_history", a.recipe.blobbify_history ? "true" : "false",
      b.recipe.blobbify_history ? "true" : "false");
  add("recipe.adapter_size", fmt_opt(a.recipe.adapter_size), fmt_opt(b.recipe.adapter_size));
  return out;
}

}  // namespace pt
