// Implementation of server/payload_text.h: valid UTF-8 strings go through util/json_string's
// word-at-a-time escaper (the same bytes nlohmann writes for them); anything else through nlohmann.
#include "server/payload_text.h"

#include <simdjson.h>

#include "util/json_string.h"

namespace pt::server {

namespace {
// nlohmann's compact dump, with strings (the bulk: the file tree) written by append_string_text;
// objects iterate in nlohmann's own (sorted) member order.
void append_json_text(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::string: append_string_text(out, v.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        append_string_text(out, it.key());
        out += ':';
        append_json_text(out, it.value());
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, e);
      }
      out += ']';
      return;
    }
    default:  // numbers, booleans, null, binary: small, nlohmann's own formatting
      out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}
}  // namespace

std::string json_text(const nlohmann::json& value) {
  std::string out;
  append_json_text(out, value);
  return out;
}

MemberTexts member_texts(const nlohmann::json& obj) {
  MemberTexts out;
  for (const auto& [k, v] : obj.items()) out.emplace(k, json_text(v));
  return out;
}

void append_string_text(std::string& out, std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size()))
    append_json_string(out, s);
  else
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string object_text(const MemberTexts& a, const MemberTexts& b) {
  size_t n = 2;
  for (const auto* m : {&a, &b})
    for (const auto& [k, v] : *m) n += k.size() + v.size() + 4;
  std::string out;
  out.reserve(n);
  out += '{';
  bool first = true;
  auto put = [&](const std::string& k, const std::string& v) {
    if (!first) out += ',';
    first = false;
    append_string_text(out, k);
    out += ':';
    out += v;
  };
  auto ia = a.begin(), ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      put(ia->first, ia->second);
      ++ia;
    } else {
      if (ia != a.end() && ia->first == ib->first) ++ia;  // b's value replaces a's
      put(ib->first, ib->second);
      ++ib;
    }
  }
  out += '}';
  return out;
}

}  // namespace pt::server
