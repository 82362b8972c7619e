// parse_wire_request (simdjson, wire_fast.cpp) reads exactly what the nlohmann reader it replaced
// read: the same payload members byte for byte, model, user id, stream flag, and the same error
// for every malformed or wrongly shaped body. The reference below is that reader, kept here as
// the oracle; bodies are written with random escapes (\uXXXX, surrogate pairs, \/), whitespace,
// key order and duplicate keys, and mutated into malformed ones.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "core/picker_prompt.h"
#include "server/payload_text.h"
#include "server/wire.h"

namespace {

using nlohmann::json;
using pt::server::Provider;
using pt::server::WireRequest;

struct Read {
  bool ok = false;
  std::string error, model, user_id;
  bool stream = false;
  pt::server::MemberTexts payload;
};

// ---- the oracle: the nlohmann reader as it was before wire_fast.cpp ----
std::string content_text(const json& c) {
  if (c.is_string()) return c.get<std::string>();
  std::string out;
  if (c.is_array())
    for (const auto& part : c)
      if (part.is_object() && part.contains("text") && part["text"].is_string()) out += part["text"].get<std::string>();
  return out;
}
std::string request_type_of(const json& messages) {
  std::string last_user;
  for (const auto& m : messages)
    if (m.is_object() && m.value("role", "") == "user") last_user = content_text(m.value("content", json()));
  return last_user.find(pt::kLimitSentencePrefix) != std::string::npos ? "Key" : "Non-Obvious";
}
// nullopt where the old reader threw (a non-string role or stream of the wrong type).
std::optional<Read> oracle(Provider p, const std::string& body, const std::string& path_model, bool path_stream) try {
  Read r;
  json j = json::parse(body, nullptr, false);
  auto fail = [&](const char* e) {
    r.error = e;
    return r;
  };
  // One deliberate difference: nlohmann stops reading at a raw NUL byte outside a string, so it
  // took `{...}\0 x` as `{...}`. A raw NUL is never valid JSON; the providers refuse such a body,
  // and so does the fast reader (pinned by WireFast.ARawNulByteIsRefusedWhereverItIs).
  if (body.find('\0') != std::string::npos) return fail("request body is not a JSON object");
  if (j.is_discarded() || !j.is_object()) return fail("request body is not a JSON object");
  json pl = json::object();
  if (p != Provider::gemini) {
    if (!j.contains("model") || !j["model"].is_string()) return fail("model: expected a string");
    if (!j.contains("messages") || !j["messages"].is_array()) return fail("messages: expected an array");
    r.model = j["model"].get<std::string>();
    r.stream = j.value("stream", false) == true;
  }
  if (p == Provider::anthropic) {
    if (j.contains("system")) pl["system"] = j["system"];
    pl["messages"] = j["messages"];
    if (j.contains("metadata") && j["metadata"].is_object() && j["metadata"].value("user_id", json()).is_string())
      r.user_id = j["metadata"]["user_id"].get<std::string>();
  } else if (p == Provider::openai) {
    json system = json::array(), messages = json::array();
    for (auto& m : j["messages"]) {
      if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
        return fail("messages[]: expected objects with a string role");
      std::string role = m["role"].get<std::string>();
      if (role == "system" || role == "developer")
        system.push_back({{"type", "text"}, {"text", content_text(m.value("content", json()))}});
      else
        messages.push_back(m);
    }
    if (system.size() == 1)
      pl["system"] = system[0]["text"];
    else if (!system.empty())
      pl["system"] = system;
    pl["messages"] = messages;
    if (j.contains("user") && j["user"].is_string()) r.user_id = j["user"].get<std::string>();
  } else {
    r.model = path_model;
    r.stream = path_stream;
    if (!j.contains("contents") || !j["contents"].is_array()) return fail("contents: expected an array");
    json system = json::array(), messages = json::array();
    json si = j.contains("systemInstruction") ? j["systemInstruction"] : j.value("system_instruction", json());
    if (si.is_object())
      for (const auto& part : si.value("parts", json::array()))
        if (part.is_object() && part.contains("text")) system.push_back({{"type", "text"}, {"text", part["text"]}});
    for (const auto& c : j["contents"]) {
      if (!c.is_object()) continue;
      std::string role = c.value("role", "user") == "model" ? "assistant" : "user";
      messages.push_back({{"role", role}, {"content", content_text(c.value("parts", json::array()))}});
    }
    if (!system.empty()) pl["system"] = system;
    pl["messages"] = messages;
  }
  pl["model"] = r.model;
  pl["request_type"] = request_type_of(pl["messages"]);
  r.ok = true;
  r.payload = pt::server::member_texts(pl);
  return r;
} catch (const json::exception&) {
  return std::nullopt;
}

Read fast(Provider p, const std::string& body, const std::string& path_model = "", bool path_stream = false) {
  WireRequest w;
  Read r;
  r.ok = pt::server::parse_wire_request(p, body, path_model, path_stream, w, r.error);
  r.model = w.model;
  r.user_id = w.user_id;
  r.stream = w.stream;
  r.payload = w.payload;
  return r;
}

void expect_same(Provider p, const std::string& body, const std::string& why) {
  auto want = oracle(p, body, "gemini-2.5-flash", true);
  if (!want) return;  // the old reader threw on it: see WireFast.WrongTypesTheOldReaderThrewOnAreNowValues
  Read got = fast(p, body, "gemini-2.5-flash", true);
  ASSERT_EQ(got.ok, want->ok) << why << "\n" << body << "\n" << got.error;
  EXPECT_EQ(got.error, want->error) << why << "\n" << body;
  if (!want->ok) return;
  EXPECT_EQ(got.payload, want->payload) << why << "\n" << body;
  EXPECT_EQ(got.model, want->model) << why;
  EXPECT_EQ(got.user_id, want->user_id) << why;
  EXPECT_EQ(got.stream, want->stream) << why;
}

// ---- bodies written with random escapes, whitespace, key order and duplicate keys ----
std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"src/a.ts", "\"",   "\\",
                                                  "\n",       "\t",   std::string(1, '\0'),
                                                  "\x01",     "\x1f", "é",
                                                  "文件",     "😀",    " ",
                                                  "</x>",     "/",    std::string(pt::kLimitSentencePrefix)};
  std::string s;
  for (int n = static_cast<int>(rng() % 12); n > 0; --n) s += pieces[rng() % pieces.size()];
  return s;
}

void write_ws(std::string& out, std::mt19937& rng) {
  static const char* ws[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
  out += ws[rng() % 7];
}

void write_string(std::string& out, const std::string& s, std::mt19937& rng) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    bool must = c < 0x20 || c == '"' || c == '\\';
    char buf[16];
    if (must || rng() % 4 == 0) {
      if (c == '/' && rng() % 2) {
        out += "\\/";
      } else if (cp >= 0x10000) {
        std::snprintf(buf, sizeof buf, "\\u%04X\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
                      0xDC00 + ((cp - 0x10000) & 0x3FF));
        out += buf;
      } else {
        std::snprintf(buf, sizeof buf, rng() % 2 ? "\\u%04x" : "\\u%04X", cp);
        out += buf;
      }
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  out += '"';
}

json random_value(std::mt19937& rng, int depth) {
  switch (depth > 2 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng()) - (1LL << 31);
    case 3: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 4: return static_cast<uint64_t>(rng()) << 20;
    case 5: return random_text(rng);
    case 6: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 3); i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = static_cast<int>(rng() % 3); i > 0; --i) o[random_text(rng)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

// `v` as JSON text, members in random order, sometimes preceded by a duplicate holding a decoy
// (nlohmann keeps the last), numbers in other spellings of the same value.
void write_raw(std::string& out, const json& v, std::mt19937& rng) {
  write_ws(out, rng);
  if (v.is_string()) {
    write_string(out, v.get<std::string>(), rng);
  } else if (v.is_object()) {
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::shuffle(keys.begin(), keys.end(), rng);
    out += '{';
    bool first = true;
    for (const auto& k : keys) {
      if (rng() % 6 == 0) {
        out += first ? "" : ",";
        write_string(out, k, rng);
        out += ':';
        write_raw(out, random_value(rng, 3), rng);
        first = false;
      }
      out += first ? "" : ",";
      first = false;
      write_string(out, k, rng);
      write_ws(out, rng);
      out += ':';
      write_raw(out, v.at(k), rng);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      write_raw(out, v[i], rng);
    }
    out += ']';
  } else if (v.is_number_float() && rng() % 2) {
    char buf[40];
    std::snprintf(buf, sizeof buf, rng() % 2 ? "%.17e" : "%.17E", v.get<double>());
    out += buf;
  } else {
    out += v.dump();
  }
  write_ws(out, rng);
}

json random_content(std::mt19937& rng) {
  if (rng() % 2) return random_text(rng);
  json parts = json::array();
  for (int i = static_cast<int>(rng() % 3); i > 0; --i) {
    json part = {{"type", "text"}, {"text", random_text(rng)}};
    if (rng() % 4 == 0) part["cache_control"] = {{"type", "ephemeral"}};
    if (rng() % 5 == 0) part["text"] = random_value(rng, 2);
    parts.push_back(rng() % 8 ? part : random_value(rng, 2));
  }
  return parts;
}

json random_request(Provider p, std::mt19937& rng) {
  static const char* roles[] = {"user", "assistant", "system", "developer", "tool", "model"};
  json j = json::object();
  if (p == Provider::gemini) {
    json contents = json::array();
    for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
      json c = {{"parts", random_content(rng)}};
      if (rng() % 4) c["role"] = roles[rng() % 6];
      contents.push_back(rng() % 10 ? c : random_value(rng, 2));
    }
    j["contents"] = contents;
    if (rng() % 2) j[rng() % 2 ? "systemInstruction" : "system_instruction"] = {{"parts", random_content(rng)}};
    j["generationConfig"] = {{"temperature", 0.2}, {"maxOutputTokens", 1024}};
    return j;
  }
  j["model"] = "claude-sonnet-4-5";
  json messages = json::array();
  for (int i = static_cast<int>(rng() % 5); i > 0; --i)
    messages.push_back({{"role", roles[rng() % (p == Provider::openai ? 5 : 2)]}, {"content", random_content(rng)}});
  j["messages"] = messages;
  if (rng() % 2) j["system"] = rng() % 2 ? json(random_text(rng)) : random_content(rng);
  if (rng() % 2) j["stream"] = rng() % 2 == 0;
  if (rng() % 3 == 0) j["metadata"] = {{"user_id", random_text(rng)}};
  if (rng() % 3 == 0) j["user"] = random_text(rng);
  j["max_tokens"] = 4096;
  if (rng() % 3 == 0) j["tools"] = random_value(rng, 0);
  return j;
}

const Provider kProviders[] = {Provider::anthropic, Provider::openai, Provider::gemini};

TEST(WireFast, ReadsTheSameMembersAsTheNlohmannReaderForRandomBodies) {
  std::mt19937 rng(180);
  for (int round = 0; round < 3000; ++round) {
    Provider p = kProviders[round % 3];
    std::string body;
    write_raw(body, random_request(p, rng), rng);
    expect_same(p, body, "round " + std::to_string(round));
  }
}

TEST(WireFast, MalformedBodiesGiveTheSameErrorAsTheNlohmannReader) {
  std::mt19937 rng(18018);
  for (int round = 0; round < 3000; ++round) {
    Provider p = kProviders[round % 3];
    std::string body;
    write_raw(body, random_request(p, rng), rng);
    // Each rng() call is its own statement: the order in which a compiler evaluates function
    // arguments differs (g++ and clang++ differ), and both builds must test the same bodies.
    const size_t at = rng() % body.size();
    switch (rng() % 4) {
      case 0: body.resize(at); break;  // cut short
      case 1: {                        // a stray byte (index 12 is the literal's NUL)
        const char stray = "{}[],:\"\\x0\xff\x01"[rng() % 13];
        body.insert(at, 1, stray);
        break;
      }
      case 2: body.erase(at, 1); break;           // a byte missing
      default: body += rng() % 2 ? " x" : ",{}";  // trailing content
    }
    expect_same(p, body, "round " + std::to_string(round));
  }
  for (const char* body : {"",
                           " ",
                           "null",
                           "[]",
                           "\"text\"",
                           "12",
                           "{",
                           "{}",
                           "{\"model\":1,\"messages\":[]}",
                           "{\"model\":\"m\"}",
                           "{\"model\":\"m\",\"messages\":{}}",
                           "{\"model\":\"m\",\"messages\":[1]}",
                           "{\"model\":\"m\",\"messages\":[]} x",
                           "{\"model\":\"m\",\"messages\":[],}",
                           "{\"model\":\"m\",\"messages\":[\"\\ud800\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\\udc00\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\\ud800\\u0041\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\\x\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\x01\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\xff\"]}",
                           "{\"model\":\"m\",\"messages\":[\"\xed\xa0\x80\"]}",
                           "{\"model\":\"m\",\"messages\":[01]}",
                           "{\"model\":\"m\",\"messages\":[1e400]}",
                           "{\"model\":\"m\",\"messages\":[-]}",
                           "{\"model\":\"m\",\"messages\":[tru]}",
                           "{\"contents\":{}}",
                           "{\"contents\":[],\"contents\":7}",
                           "{\"model\":\"m\",\"messages\":[],\"model\":7}",
                           "\xEF\xBB\xBF{\"model\":\"m\",\"messages\":[],\"contents\":[]}"})
    for (Provider p : kProviders) expect_same(p, body, std::string("fixed body: ") + body);
}

TEST(WireFast, ARawNulByteIsRefusedWhereverItIs) {
  // After the value, inside the object, inside a string: a raw NUL byte makes the body invalid
  // JSON (an escaped \u0000 inside a string is fine: EscapesAndUnicodeAreStoredAsTheirCharacters).
  const std::string valid = R"({"model":"m","messages":[{"role":"user","content":"ab"}]})";
  ASSERT_TRUE(fast(Provider::anthropic, valid).ok);
  for (size_t at : {valid.size(), valid.size() - 1, valid.find("ab") + 1, size_t{0}}) {
    std::string body = valid;
    body.insert(at, 1, '\0');
    if (at == valid.size()) body += " x";
    for (Provider p : kProviders) {
      Read r = fast(p, body, "gemini-2.5-flash", false);
      EXPECT_FALSE(r.ok) << "NUL at " << at;
      EXPECT_EQ(r.error, "request body is not a JSON object") << "NUL at " << at;
    }
  }
}

TEST(WireFast, EscapesAndUnicodeAreStoredAsTheirCharacters) {
  // \u00e9, a surrogate pair, \/ and \u0000 arrive decoded, stored in nlohmann's escaping.
  std::string body =
      R"({"model":"m","messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00 a\/b \u0000 \"q\""}]})";
  Read r = fast(Provider::anthropic, body);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.payload.at("messages"), "[{\"content\":\"café 😀 a/b \\u0000 \\\"q\\\"\",\"role\":\"user\"}]");
  EXPECT_EQ(r.payload.at("request_type"), "\"Non-Obvious\"");
  expect_same(Provider::anthropic, body, "escapes");
}

TEST(WireFast, EachFormatsPayloadShape) {
  std::string limit = std::string(pt::kLimitSentencePrefix) + " 12 files.";
  Read a = fast(
      Provider::anthropic,
      R"({"model":"claude","stream":true,"metadata":{"user_id":"u1"},"system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":")" +
          limit + R"("}]})");
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.payload.at("system"), R"([{"text":"S","type":"text"}])");
  EXPECT_EQ(a.payload.at("request_type"), "\"Key\"");
  EXPECT_EQ(a.payload.at("model"), "\"claude\"");
  EXPECT_EQ(a.user_id, "u1");
  EXPECT_TRUE(a.stream);
  Read o = fast(
      Provider::openai,
      R"({"model":"gpt","user":"u2","messages":[{"role":"system","content":"S1"},{"role":"developer","content":[{"type":"text","text":"S2"}]},{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.payload.at("system"), R"([{"text":"S1","type":"text"},{"text":"S2","type":"text"}])");
  EXPECT_EQ(o.payload.at("messages"), R"([{"content":"hi","role":"user"}])");
  EXPECT_EQ(o.user_id, "u2");
  EXPECT_FALSE(o.stream);
  Read g = fast(
      Provider::gemini,
      R"({"systemInstruction":{"parts":[{"text":"S"}]},"contents":[{"role":"user","parts":[{"text":"a"},{"text":"b"}]},{"role":"model","parts":[{"text":"c"}]}]})",
      "gemini-2.5-flash", true);
  ASSERT_TRUE(g.ok) << g.error;
  EXPECT_EQ(g.payload.at("system"), R"([{"text":"S","type":"text"}])");
  EXPECT_EQ(g.payload.at("messages"), R"([{"content":"ab","role":"user"},{"content":"c","role":"assistant"}])");
  EXPECT_EQ(g.model, "gemini-2.5-flash");
  EXPECT_TRUE(g.stream);
}

TEST(WireFast, WrongTypesTheOldReaderThrewOnAreNowValues) {
  // The nlohmann reader threw (an HTTP 500) on these; now a 400 in the provider's words, or a role
  // that is not a string counts as not "user".
  Read s = fast(Provider::anthropic, R"({"model":"m","messages":[],"stream":"yes"})");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error, "stream: expected a boolean");
  Read n = fast(Provider::openai, R"({"model":"m","messages":[],"stream":null})");
  EXPECT_TRUE(n.ok) << n.error;
  EXPECT_FALSE(n.stream);
  Read r =
      fast(Provider::anthropic, R"({"model":"m","messages":[{"role":"user","content":")" +
                                    std::string(pt::kLimitSentencePrefix) + R"(3 files."},{"role":7,"content":"x"}]})");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.payload.at("request_type"), "\"Key\"");
  Read g = fast(Provider::gemini, R"({"contents":[{"role":["model"],"parts":"p"}]})", "g", false);
  ASSERT_TRUE(g.ok) << g.error;
  EXPECT_EQ(g.payload.at("messages"), R"([{"content":"p","role":"user"}])");
}

TEST(WireFast, IntegersBeyondSixtyFourBitsAreRefused) {
  // The one body nlohmann read and this reader refuses: an integer simdjson cannot hold (nlohmann
  // turned it into a double). No provider accepts one in a request either.
  Read r = fast(Provider::anthropic, R"({"model":"m","messages":[],"seed":18446744073709551616})");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "request body is not a JSON object");
}

}  // namespace
