// A `get-relevant-files` trace payload (docs/formats.md#picker-call) parsed into provider-neutral parts:
// request kind, system blocks, message history (text parts only), the answer text. Teachers,
// students, collect and eval all read production inputs through this one parser.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/request_kind.h"
#include "util/result.h"

namespace pt {

struct PromptMessage {
  std::string role;                // user | assistant | system | tool
  std::vector<std::string> texts;  // the text parts, in order (a string content is one part)
};

struct PickerCall {
  RequestKind request_kind = RequestKind::absent;  // payload.request_type
  std::vector<std::string> system_blocks;          // a string system prompt is one block
  bool system_is_array = false;
  std::vector<PromptMessage> messages;
  std::string output;  // the production model's answer text ("" when absent)
  std::string model;
  std::string repo_name;
  std::string user_input_id;
};

// Parses a payload JSON object. Errors name the field: "payload.messages[2].role: expected a string".
Result<PickerCall> parse_picker_call(std::string_view payload_json);

// The system blocks joined with "\n" (the file tree and git changes live here).
std::string system_text(const PickerCall& call);

// Text of the last user message (the picker prompt carrying the request), or "".
std::string last_user_text(const PickerCall& call);

}  // namespace pt
