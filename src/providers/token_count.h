// Exact input-token counts from the teacher's provider, for a call as picktune would send it
// (free endpoints, but they need the API key): anthropic:NAME -> POST {base}/v1/messages/count_tokens
// (x-api-key, anthropic-version; the Messages params without max_tokens/temperature) ->
// {"input_tokens"}; gemini:NAME -> POST {base}/v1beta/models/NAME:countTokens (x-goog-api-key;
// {"generateContentRequest": {...}}) -> {"totalTokens"}. Other providers: a usage error.
#pragma once
#include <cstdint>
#include <string_view>

#include "net/retry.h"
#include "providers/model.h"
#include "util/result.h"

namespace pt {

// Errors: no API key ("ANTHROPIC_API_KEY is not set …", never a value), a rejected key or any HTTP
// error ("anthropic count_tokens: HTTP 401 authentication_error: invalid x-api-key", secrets
// redacted) once `retry` gives up (429/5xx/timeouts are retried with its backoff), a malformed answer.
Result<int64_t> count_input_tokens_remote(std::string_view model_id, const TeacherInput& input,
                                          const ModelOptions& options, const RetryPolicy& retry = RetryPolicy{});

// Whether count_input_tokens_remote can count for model_id, without calling: a usage error for a
// provider without a count endpoint here, the missing-API-key error (options.offline is ignored).
Result<void> check_remote_token_count(std::string_view model_id, const ModelOptions& options);

}  // namespace pt
