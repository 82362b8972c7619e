// make_model(): the one place that maps a model id's prefix to its provider
// (anthropic:, openai:, gemini:, vertex:, local:). Registry ids (ft_filepicker_008) are resolved
// to vertex: ids by the pipeline before they get here.
#include <fmt/format.h>

#include "providers/local.h"
#include "providers/make_model_parts.h"
#include "providers/model.h"

namespace pt {

Result<std::unique_ptr<Model>> make_model(std::string_view model_id, const ModelOptions& options) {
  auto colon = model_id.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return usage_error(
        fmt::format("unknown model '{}': expected anthropic:NAME, openai:NAME, gemini:NAME, "
                    "vertex:MODEL_OR_ENDPOINT, local:bm25 or local:student[@PATH]",
                    model_id));
  std::string_view provider = model_id.substr(0, colon);
  std::string_view name = model_id.substr(colon + 1);
  if (provider == "anthropic") return make_anthropic_model(model_id, options);
  if (provider == "openai") return make_openai_model(model_id, options);
  if (provider == "gemini") return make_gemini_model(model_id, options);
  if (provider == "vertex") return make_vertex_model(model_id, options);
  if (provider == "local") return make_local_model(name, options);
  return usage_error(fmt::format(
      "unknown model provider '{}' in '{}': expected anthropic, openai, gemini, vertex or local", provider, model_id));
}

}  // namespace pt
