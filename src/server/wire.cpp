// Wire formats of the capture routes (docs/formats.md#cli-contract), responses and answers; the
// requests are read in wire_fast.cpp. Streams:
// Anthropic content_block_delta text_delta, OpenAI choices[0].delta.content, Gemini
// candidates[0].content.parts[].text per `data:` event.
#include "server/wire.h"

#include <chrono>

namespace pt::server {

using nlohmann::json;

std::string_view provider_name(Provider p) {
  switch (p) {
    case Provider::anthropic: return "anthropic";
    case Provider::openai: return "openai";
    case Provider::gemini: return "gemini";
  }
  return "?";
}

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// Text of a content value (a string, or an array of parts with "text").
std::string content_text(const json& c) {
  if (c.is_string()) return c.get<std::string>();
  std::string out;
  if (c.is_array())
    for (const auto& part : c)
      if (part.is_object() && part.contains("text") && part["text"].is_string()) out += part["text"].get<std::string>();
  return out;
}

void usage_anthropic(const json& u, WireUsage& usage) {
  if (!u.is_object()) return;
  int64_t in = num(u, "input_tokens"), cr = num(u, "cache_read_input_tokens"),
          cw = num(u, "cache_creation_input_tokens");
  if (in + cr + cw > 0) usage.input_tokens = in + cr + cw;
  if (cr > 0) usage.cached_input_tokens = cr;
  if (num(u, "output_tokens") > 0) usage.output_tokens = num(u, "output_tokens");
}
void usage_openai(const json& u, WireUsage& usage) {
  if (!u.is_object()) return;
  usage.input_tokens = num(u, "prompt_tokens");
  usage.output_tokens = num(u, "completion_tokens");
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object())
    usage.cached_input_tokens = num(u["prompt_tokens_details"], "cached_tokens");
}
void usage_gemini(const json& u, WireUsage& usage) {
  if (!u.is_object()) return;
  usage.input_tokens = num(u, "promptTokenCount");
  usage.output_tokens = num(u, "candidatesTokenCount");
  usage.cached_input_tokens = num(u, "cachedContentTokenCount");
}
std::string gemini_text(const json& j) {
  std::string out;
  if (!j.contains("candidates") || !j["candidates"].is_array() || j["candidates"].empty()) return out;
  const json& c = j["candidates"][0];
  if (c.contains("content") && c["content"].is_object()) out = content_text(c["content"].value("parts", json::array()));
  return out;
}

}  // namespace

bool parse_wire_response(Provider p, std::string_view body, std::string& text, WireUsage& usage) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  if (p == Provider::anthropic) {
    if (!j.contains("content")) return false;
    text = content_text(j["content"]);
    usage_anthropic(j.value("usage", json()), usage);
  } else if (p == Provider::openai) {
    if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) return false;
    const json& m = j["choices"][0].value("message", json());
    text = m.is_object() ? content_text(m.value("content", json())) : "";
    usage_openai(j.value("usage", json()), usage);
  } else {
    if (!j.contains("candidates")) return false;
    text = gemini_text(j);
    usage_gemini(j.value("usageMetadata", json()), usage);
  }
  return true;
}

void SseCollector::feed(std::string_view chunk) {
  partial_.append(chunk);
  size_t start = 0, nl;
  while ((nl = partial_.find('\n', start)) != std::string::npos) {
    std::string_view line(partial_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.rfind("data:", 0) == 0) {
      std::string_view d = line.substr(5);
      if (!d.empty() && d.front() == ' ') d.remove_prefix(1);
      on_data(d);
    }
    start = nl + 1;
  }
  partial_.erase(0, start);
}

void SseCollector::finish() {
  if (!partial_.empty()) feed("\n");
}

void SseCollector::on_data(std::string_view data) {
  if (data == "[DONE]") return;
  json j = json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  saw_event_ = true;
  if (p_ == Provider::anthropic) {
    std::string type = j.value("type", "");
    if (type == "content_block_delta" && j.contains("delta") && j["delta"].value("type", "") == "text_delta")
      text_ += j["delta"].value("text", "");
    else if (type == "message_start" && j.contains("message"))
      usage_anthropic(j["message"].value("usage", json()), usage_);
    else if (type == "message_delta")
      usage_anthropic(j.value("usage", json()), usage_);
  } else if (p_ == Provider::openai) {
    if (j.contains("choices") && j["choices"].is_array() && !j["choices"].empty()) {
      const json& d = j["choices"][0].value("delta", json());
      if (d.is_object() && d.contains("content") && d["content"].is_string()) text_ += d["content"].get<std::string>();
    }
    if (j.contains("usage") && j["usage"].is_object()) usage_openai(j["usage"], usage_);
  } else {
    text_ += gemini_text(j);
    if (j.contains("usageMetadata")) usage_gemini(j["usageMetadata"], usage_);
  }
}

std::string wire_error(Provider p, int status, std::string_view message) {
  std::string msg(message);
  if (p == Provider::anthropic) {
    std::string type = status == 404   ? "not_found_error"
                       : status == 413 ? "request_too_large"
                       : status == 401 ? "authentication_error"
                       : status >= 500 ? "api_error"
                                       : "invalid_request_error";
    return dump({{"type", "error"}, {"error", {{"type", type}, {"message", msg}}}});
  }
  if (p == Provider::openai) {
    std::string type = status >= 500 ? "server_error" : "invalid_request_error";
    return dump({{"error", {{"message", msg}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}});
  }
  std::string st = status == 404   ? "NOT_FOUND"
                   : status == 401 ? "UNAUTHENTICATED"
                   : status >= 500 ? "INTERNAL"
                                   : "INVALID_ARGUMENT";
  return dump({{"error", {{"code", status}, {"message", msg}, {"status", st}}}});
}

namespace {
int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
json gemini_chunk(const std::string& model, const std::string& text, const WireUsage& u, bool last) {
  json c = {{"content", {{"parts", json::array({{{"text", text}}})}, {"role", "model"}}}, {"index", 0}};
  if (last) c["finishReason"] = "STOP";
  json j = {{"candidates", json::array({c})}, {"modelVersion", model}};
  if (last)
    j["usageMetadata"] = {{"promptTokenCount", u.input_tokens},
                          {"candidatesTokenCount", u.output_tokens},
                          {"totalTokenCount", u.input_tokens + u.output_tokens}};
  return j;
}
}  // namespace

std::string wire_answer(Provider p, const std::string& model, const std::string& id, const std::string& text,
                        const WireUsage& u) {
  if (p == Provider::anthropic)
    return dump({{"id", id},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"model", model},
                 {"content", json::array({{{"type", "text"}, {"text", text}}})},
                 {"stop_reason", "end_turn"},
                 {"stop_sequence", nullptr},
                 {"usage", {{"input_tokens", u.input_tokens}, {"output_tokens", u.output_tokens}}}});
  if (p == Provider::openai)
    return dump({{"id", id},
                 {"object", "chat.completion"},
                 {"created", unix_now()},
                 {"model", model},
                 {"choices", json::array({{{"index", 0},
                                           {"message", {{"role", "assistant"}, {"content", text}}},
                                           {"logprobs", nullptr},
                                           {"finish_reason", "stop"}}})},
                 {"usage",
                  {{"prompt_tokens", u.input_tokens},
                   {"completion_tokens", u.output_tokens},
                   {"total_tokens", u.input_tokens + u.output_tokens}}}});
  return dump(gemini_chunk(model, text, u, true));
}

std::string wire_answer_stream(Provider p, const std::string& model, const std::string& id, const std::string& text,
                               const WireUsage& u) {
  // Lines are streamed as separate deltas so clients see a real multi-event stream.
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    pieces.push_back(text.substr(start, end - start));
    start = end;
  }
  std::string out;
  auto event = [&](const char* name, const json& data) {
    if (name) out += std::string("event: ") + name + "\n";
    out += "data: " + dump(data) + "\n\n";
  };
  if (p == Provider::anthropic) {
    event("message_start", {{"type", "message_start"},
                            {"message",
                             {{"id", id},
                              {"type", "message"},
                              {"role", "assistant"},
                              {"model", model},
                              {"content", json::array()},
                              {"stop_reason", nullptr},
                              {"stop_sequence", nullptr},
                              {"usage", {{"input_tokens", u.input_tokens}, {"output_tokens", 1}}}}}});
    event("content_block_start",
          {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "text"}, {"text", ""}}}});
    for (const auto& piece : pieces)
      event("content_block_delta",
            {{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "text_delta"}, {"text", piece}}}});
    event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
    event("message_delta", {{"type", "message_delta"},
                            {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                            {"usage", {{"output_tokens", u.output_tokens}}}});
    event("message_stop", {{"type", "message_stop"}});
  } else if (p == Provider::openai) {
    int64_t created = unix_now();
    auto chunk = [&](const json& delta, const json& finish) {
      return json{{"id", id},
                  {"object", "chat.completion.chunk"},
                  {"created", created},
                  {"model", model},
                  {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
    };
    event(nullptr, chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const auto& piece : pieces) event(nullptr, chunk({{"content", piece}}, nullptr));
    event(nullptr, chunk(json::object(), "stop"));
    out += "data: [DONE]\n\n";
  } else {
    for (size_t i = 0; i < pieces.size(); ++i)
      event(nullptr, gemini_chunk(model, pieces[i], u, i + 1 == pieces.size()));
    if (pieces.empty()) event(nullptr, gemini_chunk(model, "", u, true));
  }
  return out;
}

}  // namespace pt::server
