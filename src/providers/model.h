// The Model interface: a teacher or candidate that answers a file-picker call. Remote models turn
// a PickerCall into an HttpRequest and parse the reply (text + token usage); local models answer
// in-process. One file per provider under src/providers/, registered in make_model().
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/picker_call.h"
#include "net/http.h"
#include "util/result.h"

namespace pt {

// input_tokens counts every prompt token, cached ones included (OpenAI prompt_tokens, Gemini
// promptTokenCount; for Anthropic input_tokens + cache_read + cache_creation).
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;       // prompt-cache reads (cheaper)
  int64_t cache_write_input_tokens = 0;  // Anthropic cache_creation_input_tokens (dearer)

  Usage& operator+=(const Usage& o) {
    input_tokens += o.input_tokens;
    output_tokens += o.output_tokens;
    cached_input_tokens += o.cached_input_tokens;
    cache_write_input_tokens += o.cache_write_input_tokens;
    return *this;
  }
};

struct Completion {
  std::string text;
  Usage usage;
};

// What the teacher sees for one trace: the production call, plus optional extra system text
// (the rendered <partial-file-context> of --with-context, docs/formats.md#teacher-context).
struct TeacherInput {
  const PickerCall* call = nullptr;
  std::string file_context;  // "" when not used
};

struct ModelOptions {
  std::string base_url;  // "" -> provider env var (ANTHROPIC_BASE_URL, ...) -> public default
  int64_t max_output_tokens = 1024;
  double temperature = 0.0;
  bool batch = false;       // Anthropic Message Batches pricing
  std::string prices_path;  // "" -> $PICKTUNE_PRICES -> data/prices.json
  std::string price_as;     // price as this price-table key instead ("free", "gpt-4o", ...)
  bool offline = false;     // counts and prices only (--dry-run): no API key or credentials needed
};

class Model {
 public:
  virtual ~Model() = default;
  // The full model id as given ("anthropic:claude-opus-4-20250514", "local:bm25").
  virtual const std::string& id() const = 0;
  virtual bool is_local() const = 0;
  // Local models: answer directly.
  virtual Result<Completion> answer(const TeacherInput& input) = 0;
  // Remote models: the request for one call, and its reply parsed. A malformed 200 body is an error.
  virtual Result<HttpRequest> build_request(const TeacherInput& input) const = 0;
  virtual Result<Completion> parse_response(const HttpResponse& response) const = 0;
  // Dollars for a call with this usage (from the price table; batch at the batch price).
  virtual double cost_usd(const Usage& usage) const = 0;
};

// "anthropic:NAME", "openai:NAME", "gemini:NAME", "vertex:MODEL_OR_ENDPOINT", "local:bm25",
// "local:student@PATH". Unknown provider or model -> usage error naming it.
Result<std::unique_ptr<Model>> make_model(std::string_view model_id, const ModelOptions& options);

}  // namespace pt
