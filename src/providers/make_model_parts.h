// Factories of the individual providers, dispatched by make_model() on the id's prefix.
// Internal to src/providers (local models: providers/local.h).
#pragma once
#include <memory>
#include <string_view>

#include "providers/model.h"
#include "providers/remote_util.h"

namespace pt {

// How anthropic: and gemini: resolve name, key and base URL: the generation clients and the
// token-count endpoints (token_count.h) alike. gemini:'s path depends on the name (built at the call).
inline constexpr HttpProvider kAnthropicHttp{"model name (anthropic:NAME)", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                                             "https://api.anthropic.com", "/v1/messages"};
inline constexpr HttpProvider kGeminiHttp{"model name (gemini:NAME)", "GEMINI_API_KEY", "GEMINI_BASE_URL",
                                          "https://generativelanguage.googleapis.com", ""};

Result<std::unique_ptr<RemoteModel>> make_anthropic_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_openai_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_gemini_model(std::string_view model_id, const ModelOptions& options);
Result<std::unique_ptr<RemoteModel>> make_vertex_model(std::string_view model_id, const ModelOptions& options);
// The generateContent body of gemini:/vertex: (systemInstruction, contents, generationConfig).
std::string gemini_body(const TeacherInput& input, const ModelOptions& options);

}  // namespace pt
