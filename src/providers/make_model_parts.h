// Factories of the individual providers, dispatched by make_model() on the id's prefix.
// Internal to src/providers (local models: providers/local.h).
#pragma once
#include <memory>
#include <string_view>

#include "providers/model.h"

namespace pt {

Result<std::unique_ptr<RemoteModel>> make_anthropic_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_openai_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_gemini_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_vertex_model(std::string_view model_id, const ModelOptions& options);
// The generateContent body of gemini:/vertex: (systemInstruction, contents, generationConfig).
std::string gemini_body(const TeacherInput& input, const ModelOptions& options);

}  // namespace pt
