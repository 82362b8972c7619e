// Implementation of pipeline/collect/collect_manifest.h (nlohmann::json; written once per run).
#include "pipeline/collect/collect_manifest.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/time.h"

namespace pt {
namespace {

using nlohmann::ordered_json;

ordered_json recipe_json(const CollectOptions& o) {
  ordered_json r;
  r["id"] = o.recipe_id.empty() ? ordered_json(nullptr) : ordered_json(o.recipe_id);
  r["request_kinds"] = request_kind_names(o.recipe.request_kinds);
  r["with_file_context"] = o.recipe.with_file_context;
  r["top_k"] = o.recipe.top_k ? ordered_json(*o.recipe.top_k) : ordered_json(nullptr);
  r["stop_dashes"] = o.recipe.stop_dashes;
  r["blobbify_history"] = o.recipe.blobbify_history;
  r["adapter_size"] = o.recipe.adapter_size ? ordered_json(*o.recipe.adapter_size) : ordered_json(nullptr);
  return r;
}

ordered_json time_or_null(const std::optional<int64_t>& us) {
  return us ? ordered_json(format_rfc3339(*us)) : ordered_json(nullptr);
}

}  // namespace

double tuning_cost_usd(double price_per_mtok, int epochs, int64_t tokens) {
  return price_per_mtok * epochs * static_cast<double>(tokens) / 1e6;
}

void check_vertex_limits(CollectSummary& s) {
  if (s.validation_samples > kVertexMaxValidationExamples)
    s.limit_warnings.push_back(fmt::format("{} validation examples exceed Vertex's limit of {}", s.validation_samples,
                                           kVertexMaxValidationExamples));
  if (s.train_bytes > kVertexMaxTrainingFileBytes)
    s.limit_warnings.push_back(
        fmt::format("{} is {} bytes, over Vertex's 1 GB training file limit", s.train_path, s.train_bytes));
  if (s.dropped.count("over_token_limit") && s.dropped.at("over_token_limit") > 0)
    s.limit_warnings.push_back(fmt::format("{} examples over Vertex's {}-token example limit were dropped",
                                           s.dropped.at("over_token_limit"), kVertexMaxExampleTokens));
}

std::string manifest_json(const CollectOptions& o, const CollectSummary& s) {
  ordered_json m;
  m["schema_version"] = 1;
  m["recipe"] = recipe_json(o);
  m["teacher"] = o.teacher;
  m["format"] = std::string(tuning_format_name(o.format));
  m["filters"] = {{"type", "get-relevant-files"},
                  {"request_kinds", request_kind_names(o.recipe.request_kinds)},
                  {"with_context", o.recipe.with_file_context},
                  {"since", time_or_null(o.since_us)},
                  {"until", time_or_null(o.until_us)}};
  m["split"] = {
      {"validation_fraction", o.validation_fraction ? ordered_json(*o.validation_fraction) : ordered_json(nullptr)},
      {"split_by", std::string(split_by_name(o.split_by))},
      {"seed", o.seed ? ordered_json(*o.seed) : ordered_json(nullptr)}};
  m["files"] = {{"train", s.train_path},
                {"train_bytes", s.train_bytes},
                {"validation", s.validation_path.empty() ? ordered_json(nullptr) : ordered_json(s.validation_path)},
                {"validation_bytes", s.validation_bytes}};
  m["traces_read"] = s.traces_read;
  m["relabels_read"] = s.relabels_read;
  m["input_bytes"] = s.input_bytes;
  m["samples"] = s.samples;
  m["validation_samples"] = s.validation_samples;
  ordered_json dropped = ordered_json::object();
  for (const char* reason : kDropReasons) dropped[reason] = s.dropped.count(reason) ? s.dropped.at(reason) : 0;
  m["dropped"] = dropped;
  ordered_json bad = ordered_json::array();
  for (const auto& b : s.bad_rows) bad.push_back({{"table", b.table}, {"id", b.id}, {"error", b.error}});
  m["bad_rows"] = bad;
  m["bad_rows_total"] = s.bad_rows_total;
  m["tokens"] = {{"total", s.tokens_train + s.tokens_validation},
                 {"train", s.tokens_train},
                 {"validation", s.tokens_validation},
                 {"max_example", s.max_example_tokens},
                 {"tokenizer", "gemma3 (Gemini 2.0 vocabulary), every text part counted, no BOS/EOS"}};
  m["tuning_cost_estimate"] = {{"price_per_mtok", o.price_per_mtok},
                               {"epochs", o.epochs},
                               {"tokens", s.tokens_train},
                               {"usd", tuning_cost_usd(o.price_per_mtok, o.epochs, s.tokens_train)},
                               {"formula", "price_per_mtok * epochs * training tokens / 1e6"}};
  m["vertex_limits"] = {
      {"max_tokens_per_example", kVertexMaxExampleTokens},
      {"examples_over_token_limit", s.dropped.count("over_token_limit") ? s.dropped.at("over_token_limit") : 0},
      {"max_validation_examples", kVertexMaxValidationExamples},
      {"validation_examples_ok", s.validation_samples <= kVertexMaxValidationExamples},
      {"max_training_file_bytes", kVertexMaxTrainingFileBytes},
      {"training_file_ok", s.train_bytes <= kVertexMaxTrainingFileBytes},
      {"warnings", s.limit_warnings}};
  return m.dump(2) + "\n";
}

}  // namespace pt
