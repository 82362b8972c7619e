// make_model(): the one place that maps a model id's prefix to its provider
// (anthropic:, openai:, gemini:, vertex: are remote; local: answers in-process). Registry ids
// (ft_filepicker_008) are resolved to vertex: ids by the pipeline before they get here.
#include <fmt/format.h>

#include "providers/local.h"
#include "providers/make_model_parts.h"
#include "providers/model.h"
#include "providers/student_names.h"

namespace pt {
namespace {

// The provider prefix of a model id, or a usage error naming every accepted shape.
Result<std::string_view> provider_of(std::string_view model_id) {
  auto colon = model_id.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return usage_error(
        fmt::format("unknown model '{}': expected anthropic:NAME, openai:NAME, gemini:NAME, "
                    "vertex:MODEL_OR_ENDPOINT, local:bm25 or local:student[@PATH]",
                    model_id));
  return model_id.substr(0, colon);
}

Error unknown_provider(std::string_view provider, std::string_view model_id) {
  return usage_error(fmt::format(
      "unknown model provider '{}' in '{}': expected anthropic, openai, gemini, vertex or local", provider, model_id));
}

}  // namespace

Result<std::unique_ptr<Model>> make_model(std::string_view model_id, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(std::string_view provider, provider_of(model_id));
  if (provider == "local") {
    PT_ASSIGN_OR_RETURN(auto local, make_local_model(model_id));
    return std::unique_ptr<Model>(std::move(local));
  }
  PT_ASSIGN_OR_RETURN(auto remote, make_remote_model(model_id, options));
  return std::unique_ptr<Model>(std::move(remote));
}

Result<std::unique_ptr<RemoteModel>> make_remote_model(std::string_view model_id, const ModelOptions& options) {
  PT_ASSIGN_OR_RETURN(std::string_view provider, provider_of(model_id));
  if (provider == "anthropic") return make_anthropic_model(model_id, options);
  if (provider == "openai") return make_openai_model(model_id, options);
  if (provider == "gemini") return make_gemini_model(model_id, options);
  if (provider == "vertex") return make_vertex_model(model_id, options);
  if (provider == "local")
    return usage_error(
        fmt::format("{} answers in-process: expected a remote model here "
                    "(anthropic:NAME, openai:NAME, gemini:NAME or vertex:MODEL_OR_ENDPOINT)",
                    model_id));
  return unknown_provider(provider, model_id);
}

Result<std::unique_ptr<LocalModel>> make_local_model(std::string_view model_id) {
  PT_ASSIGN_OR_RETURN(std::string_view provider, provider_of(model_id));
  if (provider != "local") {
    if (provider == "anthropic" || provider == "openai" || provider == "gemini" || provider == "vertex")
      return usage_error(
          fmt::format("{} is a remote model: expected a local one here (local:bm25 or local:student@PATH)", model_id));
    return unknown_provider(provider, model_id);
  }
  std::string_view name = model_id.substr(provider.size() + 1);
  if (name == "bm25") return make_bm25_model();
  if (name == "bm25-content")
    return usage_error("local:bm25-content needs the repository: local:bm25-content@REPO (directory or bundle)");
  if (name.rfind("bm25-content@", 0) == 0) return make_bm25_content_model(std::string(name.substr(13)));
  if (name == "student")
    return usage_error("local:student needs its model file: local:student@PATH (see `student train`)");
  if (name.rfind("student@", 0) == 0) {
    if (name.size() == 8) return usage_error("local:student@PATH: the path is empty");
    std::string given(model_id);
    PT_ASSIGN_OR_RETURN(std::optional<std::string> path, student_model_file(given));
    PT_ASSIGN_OR_RETURN(StudentRef ref, parse_student_ref(name.substr(8)));
    // The canonical id (providers/student_names.h) is what relabels are stored under.
    PT_ASSIGN_OR_RETURN(std::string id, canonical_model_id(given));
    return make_student_model(std::move(id), *path, ref.cold, ref.repo);
  }
  return usage_error(fmt::format(
      "unknown local model 'local:{}': expected local:bm25, local:bm25-content@REPO or local:student@PATH", name));
}

}  // namespace pt
