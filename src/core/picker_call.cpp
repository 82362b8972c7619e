// Implementation of core/picker_call.h on simdjson's DOM (payloads are read on hot paths).
#include "core/picker_call.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace pt {
namespace {

Error field_error(std::string_view field, std::string_view why) {
  return runtime_error(fmt::format("payload.{}: {}", field, why));
}

// A field path built only when an error names it ("messages[2].content"), not per message.
struct FieldName {
  std::string_view base;
  long index = -1;  // -1: no [index]
  std::string_view suffix;
  std::string str() const {
    return index < 0 ? fmt::format("{}{}", base, suffix) : fmt::format("{}[{}]{}", base, index, suffix);
  }
};

Result<void> read_parts(simdjson::dom::element content, const FieldName& name, std::vector<std::string>& out) {
  if (content.is_string()) {
    out.emplace_back(std::string_view(content.get_string().value_unsafe()));
    return ok();
  }
  if (content.is_null()) return ok();
  if (!content.is_array()) return field_error(name.str(), "expected a string or an array of parts");
  size_t i = 0;
  simdjson::dom::array parts = content.get_array().value_unsafe();  // named: a range-for over the temporary dangles
  for (auto part : parts) {
    if (!part.is_object()) return field_error(fmt::format("{}[{}]", name.str(), i), "expected an object");
    std::string_view type;
    if (part["type"].get_string().get(type) == simdjson::SUCCESS && type == "text") {
      std::string_view text;
      if (part["text"].get_string().get(text) != simdjson::SUCCESS)
        return field_error(fmt::format("{}[{}].text", name.str(), i), "expected a string");
      out.emplace_back(text);
    }
    ++i;
  }
  return ok();
}

Result<void> read_optional_string(simdjson::dom::object obj, std::string_view key, std::string& out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD || v.is_null()) return ok();
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return field_error(key, "expected a string");
  out.assign(s);
  return ok();
}

}  // namespace

Result<PickerCall> parse_picker_call(std::string_view payload_json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(payload_json.data(), payload_json.size()).get(root))
    return runtime_error(fmt::format("payload: invalid JSON ({})", simdjson::error_message(err)));
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return runtime_error("payload: expected a JSON object");

  PickerCall call;
  std::string kind;
  PT_TRY(read_optional_string(obj, "request_type", kind));
  call.request_kind = request_kind_of(kind);
  PT_TRY(read_optional_string(obj, "output", call.output));
  PT_TRY(read_optional_string(obj, "model", call.model));
  PT_TRY(read_optional_string(obj, "repo_name", call.repo_name));
  PT_TRY(read_optional_string(obj, "user_input_id", call.user_input_id));

  auto system = obj["system"];
  if (system.error() == simdjson::NO_SUCH_FIELD) return field_error("system", "missing");
  call.system_is_array = system.is_array();
  PT_TRY(read_parts(system.value_unsafe(), FieldName{"system", -1, ""}, call.system_blocks));

  simdjson::dom::array messages;
  if (obj["messages"].error() == simdjson::NO_SUCH_FIELD) return field_error("messages", "missing");
  if (obj["messages"].get_array().get(messages)) return field_error("messages", "expected an array");
  call.messages.reserve(messages.size());
  long i = -1;
  for (auto m : messages) {
    FieldName field{"messages", ++i, ""};
    if (!m.is_object()) return field_error(field.str(), "expected an object");
    PromptMessage msg;
    std::string_view role;
    if (m["role"].get_string().get(role)) return field_error(field.str() + ".role", "expected a string");
    msg.role.assign(role);
    auto content = m["content"];
    const FieldName content_field{"messages", i, ".content"};
    if (content.error() == simdjson::NO_SUCH_FIELD) return field_error(content_field.str(), "missing");
    PT_TRY(read_parts(content.value_unsafe(), content_field, msg.texts));
    call.messages.push_back(std::move(msg));
  }
  return call;
}

std::string system_text(const PickerCall& call) {
  std::string out;
  for (size_t i = 0; i < call.system_blocks.size(); ++i) {
    if (i) out += '\n';
    out += call.system_blocks[i];
  }
  return out;
}

std::string last_user_text(const PickerCall& call) {
  for (auto it = call.messages.rbegin(); it != call.messages.rend(); ++it) {
    if (it->role != "user") continue;
    std::string out;
    for (size_t i = 0; i < it->texts.size(); ++i) {
      if (i) out += '\n';
      out += it->texts[i];
    }
    return out;
  }
  return {};
}

}  // namespace pt
