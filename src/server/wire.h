// The three provider wire formats the proxy speaks (Anthropic Messages, OpenAI Chat Completions,
// Gemini generateContent): request -> trace payload parts, response (whole or SSE stream) ->
// answer text + usage, the provider's error shape, and picktune's own answers (local models) in
// each format, streamed or not.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/payload_text.h"

namespace pt::server {

enum class Provider { anthropic, openai, gemini };
std::string_view provider_name(Provider p);

struct WireUsage {
  int64_t input_tokens = 0, output_tokens = 0, cached_input_tokens = 0;
};

// The request as a trace payload (SPEC-formats `get-relevant-files` shape): system, messages,
// model, request_type, each member's JSON text as dumping the payload object with nlohmann would
// write it; plus the user id the provider's body may carry.
struct WireRequest {
  MemberTexts payload;
  std::string model;
  std::string user_id;  // metadata.user_id (Anthropic) / user (OpenAI), "" when absent
  bool stream = false;
};
// `model_from_path` and `stream_from_path` for Gemini (the model and method live in the URL).
// Returns false with `error` set when the body is not a JSON object of that format. One reader
// for the three formats, on simdjson (wire_fast.cpp).
bool parse_wire_request(Provider p, std::string_view body, const std::string& model_from_path, bool stream_from_path,
                        WireRequest& out, std::string& error);

// Answer text and usage of a whole (non-streamed) response body; false when it is not parseable.
bool parse_wire_response(Provider p, std::string_view body, std::string& text, WireUsage& usage);

// Accumulates an SSE stream's text deltas and usage, fed in arbitrary chunks.
class SseCollector {
 public:
  explicit SseCollector(Provider p) : p_(p) {}
  void feed(std::string_view chunk);
  void finish();
  const std::string& text() const { return text_; }
  const WireUsage& usage() const { return usage_; }
  bool saw_event() const { return saw_event_; }

 private:
  void on_data(std::string_view data);
  Provider p_;
  std::string partial_, text_;
  WireUsage usage_;
  bool saw_event_ = false;
};

// The provider's error body for a status and one-line message.
std::string wire_error(Provider p, int status, std::string_view message);

// picktune's own answer (a local model) as a whole response body, or as the full SSE stream text.
std::string wire_answer(Provider p, const std::string& model, const std::string& id, const std::string& text,
                        const WireUsage& usage);
std::string wire_answer_stream(Provider p, const std::string& model, const std::string& id, const std::string& text,
                               const WireUsage& usage);

}  // namespace pt::server
