// The price table (data/prices.json): USD per 1M tokens for input, output, cached input, cache
// writes, batch input/output and tuning. Lookup is by model name without the provider prefix;
// a dated/numeric suffix matches its base key. local: models are free; tuned Vertex endpoints are
// priced as 'vertex-tuned-endpoint'; an unknown model is a usage error naming the table and the
// way out (--price-as KEY, e.g. 'free' for a self-hosted server).
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "providers/model.h"
#include "util/result.h"

namespace pt {

struct Price {
  std::string key;  // the table key that matched ("" for local models)
  double input = 0, output = 0, cached_input = 0, cache_write = 0;
  double batch_input = 0, batch_output = 0;
  double training = 0;  // per 1M training tokens (per epoch); 0 when unknown
};

class PriceTable {
 public:
  static Result<PriceTable> load(const std::string& path);
  static Result<PriceTable> parse(std::string_view json, const std::string& source_name);
  // Loaded once per path and shared (thread-safe). "" -> default_prices_path().
  static Result<const PriceTable*> shared(const std::string& path = "");

  // Exact key, else the longest key K such that name = K + "-" + [digits, '-', '@', "latest"].
  Result<Price> find(std::string_view name) const;
  const std::string& source() const { return source_; }
  const std::map<std::string, Price>& entries() const { return prices_; }

 private:
  std::string source_;
  std::map<std::string, Price> prices_;
};

// $PICKTUNE_PRICES, else PICKTUNE_SOURCE_DIR/data/prices.json.
std::string default_prices_path();

// The price of a full model id ("anthropic:claude-opus-4-20250514", "vertex:1234", "local:bm25"),
// honouring options.price_as and options.prices_path.
Result<Price> price_for_model(std::string_view model_id, const ModelOptions& options);

// Dollars for one call: uncached input at input (or batch_input), cache reads at cached_input,
// cache writes at cache_write, output at output (or batch_output). With batch, cache rates are
// scaled by batch_input / input as the batch discount applies on top of caching.
double usage_cost_usd(const Price& price, const Usage& usage, bool batch);

}  // namespace pt
