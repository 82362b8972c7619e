// The model interfaces: a teacher or candidate that answers a file-picker call. Every model has
// an id and a price (Model); a RemoteModel turns a call into an HttpRequest and parses the reply
// (text + token usage), a LocalModel answers in-process. One file per provider under
// src/providers/, registered in make_model().
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

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

class RemoteModel;
class LocalModel;

// What both kinds share. A model is exactly one of the two kinds: as_remote() or as_local().
class Model {
 public:
  explicit Model(std::string id) : id_(std::move(id)) {}
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  // The full model id as given ("anthropic:claude-opus-4-20250514", "local:bm25").
  const std::string& id() const { return id_; }
  // Dollars for a call with this usage (from the price table; batch at the batch price).
  virtual double cost_usd(const Usage& usage) const = 0;
  virtual RemoteModel* as_remote() { return nullptr; }
  virtual LocalModel* as_local() { return nullptr; }

 private:
  std::string id_;
};

// An HTTP-backed model: the request for one call, and its reply parsed (the relabel engine sends
// the request through its own HTTP client). A malformed 200 body is an error.
class RemoteModel : public Model {
 public:
  using Model::Model;
  virtual Result<HttpRequest> build_request(const TeacherInput& input) const = 0;
  virtual Result<Completion> parse_response(const HttpResponse& response) const = 0;
  RemoteModel* as_remote() final { return this; }
};

// An in-process model: answers directly, free of charge.
class LocalModel : public Model {
 public:
  using Model::Model;
  virtual Result<Completion> answer(const TeacherInput& input) = 0;
  double cost_usd(const Usage&) const override { return 0; }
  LocalModel* as_local() final { return this; }
};

// "anthropic:NAME", "openai:NAME", "gemini:NAME", "vertex:MODEL_OR_ENDPOINT", "local:bm25",
// "local:student@PATH". Unknown provider or model -> usage error naming it.
Result<std::unique_ptr<Model>> make_model(std::string_view model_id, const ModelOptions& options);
// The same for a caller that needs one kind: a model id of the other kind is a usage error.
Result<std::unique_ptr<RemoteModel>> make_remote_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<LocalModel>> make_local_model(std::string_view model_id);

}  // namespace pt
