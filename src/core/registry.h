// The finetune registry (data/finetunes.json, docs/formats.md#registry) as data: loading with validation,
// recomputed costs, consistency checks against each entry's own figures and notes, and the
// difference between two finetunes. Pure logic: the file is read and written by pipeline/.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/recipe.h"
#include "util/result.h"

namespace pt {

struct Finetune {
  std::string id;
  std::optional<std::string> endpoint_id;
  std::string date;  // YYYY-MM-DD
  std::optional<std::string> train_file, validation_file;
  std::optional<int64_t> train_samples, validation_samples, tokens, epochs;
  std::string base_model, teacher;
  Recipe recipe;
  std::vector<std::string> notes;
  std::vector<std::string> est_costs_as_written;
  // Tuning-job bookkeeping written by `tune submit/wait` (absent for the seed's entries).
  std::optional<std::string> provider, job_name, status, tuned_model;
  std::optional<double> learning_rate_multiplier;
};

struct Registry {
  int schema_version = 1;
  std::string note;
  std::vector<Finetune> finetunes;
  const Finetune* find(std::string_view id) const;
};

// Parses and validates; errors name the source, the entry and the field:
// "data/finetunes.json: finetunes[3] (ft_filepicker_topk_001).epochs: expected an integer".
Result<Registry> parse_registry(std::string_view json_text, std::string_view source_name);
std::string registry_to_json(const Registry& registry);

// Finetune <-> JSON object (the same field names as the file).
std::string finetune_to_json(const Finetune& f, int indent = -1);

// Tuning cost = price per 1M tokens x epochs x tokens; nullopt when tokens or epochs are unknown.
std::optional<double> tuning_cost_usd(const Finetune& f, double price_per_mtok);

// A dollar figure and formula found in a cost line as written, e.g.
// "~$400 for finetuning ($3.00/1M tokens * 2 epochs * 74.6M tokens)".
struct CostLine {
  std::string text;
  std::optional<double> stated_usd;
  bool approximate = false;  // "~", "about", "over"
  bool finetuning = false;   // a tuning (not relabel) cost line
  std::optional<double> price_per_mtok, epochs, mtokens;
};
CostLine parse_cost_line(std::string_view text);

struct Finding {
  std::string id;
  std::string kind;    // cost-arithmetic, cost-inputs, validation-is-training, unknown-tokens, ...
  std::string reason;  // one line, for people
};

// Every inconsistency in the registry, in entry order.
std::vector<Finding> check_registry(const Registry& registry);

struct FieldChange {
  std::string field;
  std::string from, to;
};
// What differs between two finetunes (data, recipe, epochs, teacher, base, samples, tokens).
std::vector<FieldChange> diff_finetunes(const Finetune& a, const Finetune& b);

}  // namespace pt
