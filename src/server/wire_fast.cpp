// parse_wire_request (server/wire.h): the one reader of the three request wire formats, on
// simdjson's DOM (the whole body is validated, as a strict JSON parser would) and writing each
// payload member's JSON text straight from the parsed document in nlohmann's dump form (sorted
// keys, the last of duplicate keys, strings re-escaped, numbers as nlohmann prints them), so a
// 163 KB picker request costs one parse and one write instead of a DOM build and a dump.
#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "core/picker_prompt.h"
#include "server/wire.h"
#include "util/json_string.h"

namespace pt::server {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Parsers are reused (their buffers grow to the largest body seen) but only a few are kept, so
// hundreds of connection threads do not each hold a parser sized for a 163 KB body.
class ParserPool {
 public:
  std::unique_ptr<simdjson::dom::parser> take() {
    std::lock_guard<std::mutex> g(mu_);
    if (free_.empty()) return std::make_unique<simdjson::dom::parser>();
    auto p = std::move(free_.back());
    free_.pop_back();
    return p;
  }
  void give(std::unique_ptr<simdjson::dom::parser> p) {
    if (p->capacity() > kMaxKeptCapacity) return;
    std::lock_guard<std::mutex> g(mu_);
    if (free_.size() < kMaxKept) free_.push_back(std::move(p));
  }

 private:
  static constexpr size_t kMaxKept = 4, kMaxKeptCapacity = 4u << 20;
  std::mutex mu_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> free_;
};
ParserPool& parsers() {
  static ParserPool pool;
  return pool;
}

// The last member named `key` (nlohmann keeps the last of duplicate keys); false when absent.
bool find_last(object o, std::string_view key, element& out) {
  bool found = false;
  for (auto field : o)
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  return found;
}

// The members of `o` as nlohmann holds them: sorted by key, the last of duplicates.
std::vector<std::pair<std::string_view, element>> sorted_members(object o) {
  std::vector<std::pair<std::string_view, element>> m;
  for (auto field : o) m.emplace_back(field.key, field.value);
  std::stable_sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string_view, element>> out;
  out.reserve(m.size());
  for (size_t i = 0; i < m.size(); ++i)
    if (i + 1 == m.size() || m[i + 1].first != m[i].first) out.push_back(m[i]);
  return out;
}

// Appends the JSON text nlohmann's dump(-1, ' ', false, replace) gives for the parsed value.
void append_text(std::string& out, element e) {
  switch (e.type()) {
    case element_type::STRING: append_json_string(out, std::string_view(e)); return;
    case element_type::INT64: out += std::to_string(int64_t(e)); return;
    case element_type::UINT64: out += std::to_string(uint64_t(e)); return;
    case element_type::DOUBLE: out += nlohmann::json(double(e)).dump(); return;  // nlohmann's float format
    case element_type::BOOL: out += bool(e) ? "true" : "false"; return;
    case element_type::NULL_VALUE: out += "null"; return;
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (element v : array(e)) {
        if (!first) out += ',';
        first = false;
        append_text(out, v);
      }
      out += ']';
      return;
    }
    case element_type::OBJECT: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : sorted_members(object(e))) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_text(out, v);
      }
      out += '}';
      return;
    }
  }
}
std::string text_of(element e) {
  std::string out;
  append_text(out, e);
  return out;
}
std::string string_text(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// The elements nlohmann's range-for visits: an array's items, an object's values (sorted, last of
// duplicates), or the value itself.
template <class F>
void for_each_item(element e, F&& f) {
  if (e.is_array())
    for (element v : array(e)) f(v);
  else if (e.is_object())
    for (const auto& kv : sorted_members(object(e))) f(kv.second);
  else
    f(e);
}

// Text of a content value: a string, or the "text" strings of an array's parts joined.
std::string content_text(element c) {
  if (c.is_string()) return std::string(std::string_view(c));
  std::string out;
  element t;
  if (c.is_array())
    for (element part : array(c))
      if (part.is_object() && find_last(object(part), "text", t) && t.is_string()) out += std::string_view(t);
  return out;
}
std::string member_content_text(object o, std::string_view key) {
  element c;
  return find_last(o, key, c) ? content_text(c) : std::string();
}
std::string string_member(object o, std::string_view key, std::string_view fallback = "") {
  element v;
  return std::string(find_last(o, key, v) && v.is_string() ? std::string_view(v) : fallback);
}

// "Key" when the last user message holds the picker prompt's limit sentence, else "Non-Obvious".
void note_user_message(element m, std::string& last_user) {
  if (m.is_object() && string_member(object(m), "role") == "user")
    last_user = member_content_text(object(m), "content");
}
std::string request_type_text(const std::string& last_user) {
  return string_text(last_user.find(kLimitSentencePrefix) != std::string::npos ? "Key" : "Non-Obvious");
}

// {"text":TEXT,"type":"text"} as nlohmann orders it, TEXT already JSON.
std::string text_block(std::string_view text_json) {
  return "{\"text\":" + std::string(text_json) + ",\"type\":\"text\"}";
}
std::string json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

struct Fields {  // the top-level members a format reads, each the last of its name
  element model, messages, stream, system, metadata, user, contents, si_camel, si_snake;
  bool has_model = false, has_messages = false, has_stream = false, has_system = false, has_metadata = false,
       has_user = false, has_contents = false, has_si_camel = false, has_si_snake = false;
};
// Which member of Fields each top-level key fills (a key met twice: the last one wins).
struct FieldSlot {
  std::string_view key;
  element Fields::*value;
  bool Fields::*present;
};
constexpr FieldSlot kFieldSlots[] = {
    {"model", &Fields::model, &Fields::has_model},
    {"messages", &Fields::messages, &Fields::has_messages},
    {"stream", &Fields::stream, &Fields::has_stream},
    {"system", &Fields::system, &Fields::has_system},
    {"metadata", &Fields::metadata, &Fields::has_metadata},
    {"user", &Fields::user, &Fields::has_user},
    {"contents", &Fields::contents, &Fields::has_contents},
    {"systemInstruction", &Fields::si_camel, &Fields::has_si_camel},
    {"system_instruction", &Fields::si_snake, &Fields::has_si_snake},
};

Fields read_fields(object root) {
  Fields f;
  for (auto field : root) {
    std::string_view k = field.key;
    for (const FieldSlot& slot : kFieldSlots)
      if (k == slot.key) {
        f.*slot.value = field.value;
        f.*slot.present = true;
        break;
      }
  }
  return f;
}

bool read_anthropic(const Fields& f, WireRequest& out) {
  if (f.has_system) out.payload["system"] = text_of(f.system);
  out.payload["messages"] = text_of(f.messages);
  std::string last_user;
  for (element m : array(f.messages)) note_user_message(m, last_user);
  out.payload["request_type"] = request_type_text(last_user);
  element uid;
  if (f.has_metadata && f.metadata.is_object() && find_last(object(f.metadata), "user_id", uid) && uid.is_string())
    out.user_id = std::string(std::string_view(uid));
  return true;
}

// System and developer messages become system blocks; the rest are kept as sent.
bool read_openai(const Fields& f, WireRequest& out, std::string& error) {
  std::vector<std::string> system, messages;
  std::string last_user;
  for (element m : array(f.messages)) {
    element role;
    if (!m.is_object() || !find_last(object(m), "role", role) || !role.is_string()) {
      error = "messages[]: expected objects with a string role";
      return false;
    }
    std::string_view r = role;
    if (r == "system" || r == "developer") {
      system.push_back(string_text(member_content_text(object(m), "content")));
    } else {
      messages.push_back(text_of(m));
      note_user_message(m, last_user);
    }
  }
  if (system.size() == 1) {
    out.payload["system"] = system[0];
  } else if (!system.empty()) {
    for (auto& s : system) s = text_block(s);
    out.payload["system"] = json_array(system);
  }
  out.payload["messages"] = json_array(messages);
  out.payload["request_type"] = request_type_text(last_user);
  if (f.has_user && f.user.is_string()) out.user_id = std::string(std::string_view(f.user));
  return true;
}

// systemInstruction.parts[].text become system blocks; contents become {role, content} messages
// (role "model" -> "assistant", anything else -> "user").
void read_gemini(const Fields& f, WireRequest& out) {
  std::vector<std::string> system, messages;
  element si = f.has_si_camel ? f.si_camel : f.si_snake;
  element parts;
  if ((f.has_si_camel || f.has_si_snake) && si.is_object() && find_last(object(si), "parts", parts))
    for_each_item(parts, [&](element part) {
      element t;
      if (part.is_object() && find_last(object(part), "text", t)) system.push_back(text_block(text_of(t)));
    });
  std::string last_user;
  for (element c : array(f.contents)) {
    if (!c.is_object()) continue;
    std::string role = string_member(object(c), "role", "user") == "model" ? "assistant" : "user";
    std::string text = member_content_text(object(c), "parts");
    if (role == "user") last_user = text;
    std::string m = "{\"content\":";
    append_json_string(m, text);
    messages.push_back(m + ",\"role\":\"" + role + "\"}");
  }
  if (!system.empty()) out.payload["system"] = json_array(system);
  out.payload["messages"] = json_array(messages);
  out.payload["request_type"] = request_type_text(last_user);
}

bool read_request(Provider p, element root, const std::string& model_from_path, bool stream_from_path, WireRequest& out,
                  std::string& error) {
  if (!root.is_object()) {
    error = "request body is not a JSON object";
    return false;
  }
  Fields f = read_fields(object(root));
  if (p == Provider::gemini) {
    if (!f.has_contents || !f.contents.is_array()) {
      error = "contents: expected an array";
      return false;
    }
    out.model = model_from_path;
    out.stream = stream_from_path;
    read_gemini(f, out);
  } else {
    if (!f.has_model || !f.model.is_string()) {
      error = "model: expected a string";
      return false;
    }
    if (!f.has_messages || !f.messages.is_array()) {
      error = "messages: expected an array";
      return false;
    }
    if (f.has_stream && !f.stream.is_bool() && !f.stream.is_null()) {
      error = "stream: expected a boolean";
      return false;
    }
    out.model = std::string(std::string_view(f.model));
    out.stream = f.has_stream && f.stream.is_bool() && bool(f.stream);
    if (p == Provider::anthropic ? !read_anthropic(f, out) : !read_openai(f, out, error)) return false;
  }
  out.payload["model"] = string_text(out.model);
  return true;
}

}  // namespace

bool parse_wire_request(Provider p, std::string_view body, const std::string& model_from_path, bool stream_from_path,
                        WireRequest& out, std::string& error) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // a UTF-8 byte order mark, as nlohmann skips it
  auto parser = parsers().take();
  element root;
  bool ok = false;
  if (parser->parse(body.data(), body.size()).get(root) == simdjson::SUCCESS)
    ok = read_request(p, root, model_from_path, stream_from_path, out, error);
  else
    error = "request body is not a JSON object";
  parsers().give(std::move(parser));
  if (!ok) out = WireRequest();
  return ok;
}

}  // namespace pt::server
