// Exact input-token counts from the teacher's provider, for a call as picktune would send it
// (free endpoints, but they need the API key): anthropic:NAME -> POST {base}/v1/messages/count_tokens
// (x-api-key, anthropic-version; the Messages params without max_tokens/temperature) ->
// {"input_tokens"}; gemini:NAME -> POST {base}/v1beta/models/NAME:countTokens (x-goog-api-key;
// {"generateContentRequest": {...}}) -> {"totalTokens"}. Other providers: a usage error.
#pragma once
#include <cstdint>
#include <string_view>

#include "providers/model.h"
#include "util/result.h"

namespace pt {

// Errors: no API key ("set ANTHROPIC_API_KEY …", never a value), a rejected key or any HTTP error
// ("anthropic count_tokens: HTTP 401 authentication_error: invalid x-api-key", secrets redacted),
// a malformed answer.
Result<int64_t> count_input_tokens_remote(std::string_view model_id, const TeacherInput& input,
                                          const ModelOptions& options);

}  // namespace pt
