// anthropic:NAME — the Anthropic Messages API (POST {base}/v1/messages, x-api-key,
// anthropic-version 2023-06-01), the system prompt sent as text blocks with an ephemeral
// cache_control breakpoint on the last one (prompt caching). The body builder and the message
// parser are shared with the Message Batches client (anthropic_batch.h).
#pragma once
#include <memory>
#include <string>

#include "providers/model.h"
#include "providers/prices.h"

namespace pt {

inline constexpr const char* kAnthropicVersion = "2023-06-01";

// The Messages API params object for one teacher call ({model, max_tokens, system, messages, …}).
std::string anthropic_params_json(std::string_view model_name, const TeacherInput& input, const ModelOptions& options);
// Completion from a Messages API `message` object (text blocks joined, usage incl. cache fields).
Result<Completion> anthropic_parse_message(std::string_view message_json);

}  // namespace pt
