// Implementation of providers/prices.h on nlohmann::json (a small file read once).
#include "providers/prices.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include "source_dir.h"
#include "util/read_file.h"

namespace pt {
namespace {

bool is_version_suffix(std::string_view rest) {
  if (rest == "latest") return true;
  if (rest.empty()) return false;
  for (char c : rest)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '@')) return false;
  return true;
}

}  // namespace

Result<PriceTable> PriceTable::parse(std::string_view text, const std::string& source_name) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return runtime_error(source_name + ": invalid JSON");
  auto models = doc.find("models");
  if (models == doc.end() || !models->is_object()) return runtime_error(source_name + ": models: expected an object");
  PriceTable table;
  table.source_ = source_name;
  for (const auto& item : models->items()) {
    const std::string& key = item.key();  // not a structured binding: clang 14 cannot capture one
    const auto& entry = item.value();
    if (!entry.is_object()) return runtime_error(fmt::format("{}: models.{}: expected an object", source_name, key));
    Price p;
    p.key = key;
    auto num = [&](const char* field, double fallback) -> Result<double> {
      auto it = entry.find(field);
      if (it == entry.end()) return fallback;
      if (!it->is_number() || it->get<double>() < 0)
        return runtime_error(fmt::format("{}: models.{}.{}: expected a non-negative number", source_name, key, field));
      return it->get<double>();
    };
    for (const char* required : {"input", "output"})
      if (!entry.contains(required))
        return runtime_error(fmt::format("{}: models.{}.{}: missing", source_name, key, required));
    PT_ASSIGN_OR_RETURN(p.input, num("input", 0));
    PT_ASSIGN_OR_RETURN(p.output, num("output", 0));
    PT_ASSIGN_OR_RETURN(p.cached_input, num("cached_input", p.input));
    PT_ASSIGN_OR_RETURN(p.cache_write, num("cache_write", p.input));
    PT_ASSIGN_OR_RETURN(p.batch_input, num("batch_input", p.input));
    PT_ASSIGN_OR_RETURN(p.batch_output, num("batch_output", p.output));
    PT_ASSIGN_OR_RETURN(p.training, num("training", 0));
    table.prices_.emplace(key, std::move(p));
  }
  return table;
}

Result<PriceTable> PriceTable::load(const std::string& path) {
  PT_ASSIGN_OR_RETURN(std::string text, read_file(path, "cannot read the price table"));
  return parse(text, path);
}

Result<const PriceTable*> PriceTable::shared(const std::string& path_in) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<PriceTable>> cache;
  std::string path = path_in.empty() ? default_prices_path() : path_in;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(path);
  if (it != cache.end()) return static_cast<const PriceTable*>(it->second.get());
  PT_ASSIGN_OR_RETURN(PriceTable table, load(path));
  auto owned = std::make_unique<PriceTable>(std::move(table));
  const PriceTable* raw = owned.get();
  cache.emplace(path, std::move(owned));
  return raw;
}

Result<Price> PriceTable::find(std::string_view name) const {
  if (auto it = prices_.find(std::string(name)); it != prices_.end()) return it->second;
  const Price* best = nullptr;
  for (const auto& [key, price] : prices_) {
    if (name.size() > key.size() + 1 && name.substr(0, key.size()) == key && name[key.size()] == '-' &&
        is_version_suffix(name.substr(key.size() + 1)) && (!best || key.size() > best->key.size()))
      best = &price;
  }
  if (best) return *best;
  return usage_error(fmt::format(
      "no price for model '{}' in {}; add it there, or pass --price-as KEY (e.g. --price-as free)", name, source_));
}

std::string default_prices_path() {
  if (const char* env = std::getenv("PICKTUNE_PRICES"); env && *env) return env;
  return std::string(PICKTUNE_SOURCE_DIR) + "/data/prices.json";
}

Result<Price> price_for_model(std::string_view model_id, const ModelOptions& options) {
  auto colon = model_id.find(':');
  std::string_view provider = colon == std::string_view::npos ? std::string_view() : model_id.substr(0, colon);
  std::string_view name = colon == std::string_view::npos ? model_id : model_id.substr(colon + 1);
  if (provider == "local" && options.price_as.empty()) return Price{};
  PT_ASSIGN_OR_RETURN(const PriceTable* table, PriceTable::shared(options.prices_path));
  if (!options.price_as.empty()) return table->find(options.price_as);
  if (provider == "vertex") {
    bool endpoint = name.find("/endpoints/") != std::string_view::npos ||
                    (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos);
    if (endpoint) return table->find("vertex-tuned-endpoint");
  }
  return table->find(name);
}

double usage_cost_usd(const Price& p, const Usage& u, bool batch) {
  double in_rate = batch ? p.batch_input : p.input;
  double out_rate = batch ? p.batch_output : p.output;
  double scale = (batch && p.input > 0) ? p.batch_input / p.input : 1.0;
  int64_t special = u.cached_input_tokens + u.cache_write_input_tokens;
  double uncached = static_cast<double>(std::max<int64_t>(0, u.input_tokens - special));
  double dollars = uncached * in_rate + static_cast<double>(u.cached_input_tokens) * p.cached_input * scale +
                   static_cast<double>(u.cache_write_input_tokens) * p.cache_write * scale +
                   static_cast<double>(u.output_tokens) * out_rate;
  return dollars / 1e6;
}

}  // namespace pt
