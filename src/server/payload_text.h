// A trace payload's JSON text built from members serialized once: the request's members (system
// and messages carry the 163 KB file tree) are dumped once per call, and the payload stored for
// the call is those texts joined with the per-call members (output, usage, latency, ...) in the
// key order nlohmann's object dump uses, so the text is byte-for-byte the whole object's dump.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace pt::server {

// Member name -> its value's JSON text, sorted by name (nlohmann::json's own object order).
using MemberTexts = std::map<std::string, std::string, std::less<>>;

// The compact dump picktune stores (no indent, UTF-8 kept, invalid UTF-8 replaced by U+FFFD),
// byte-for-byte nlohmann's dump(-1, ' ', false, replace) but with the fast string escaper.
std::string json_text(const nlohmann::json& value);
// Each member of the object `obj`, dumped once.
MemberTexts member_texts(const nlohmann::json& obj);
// `{...}` holding the members of `a` and `b` in sorted order (`b` wins a name in both): equal to
// dumping the object that holds both.
std::string object_text(const MemberTexts& a, const MemberTexts& b = {});
// Appends `s` as a JSON string literal exactly as json_text(s) would write it (fast for valid UTF-8).
void append_string_text(std::string& out, std::string_view s);

}  // namespace pt::server
