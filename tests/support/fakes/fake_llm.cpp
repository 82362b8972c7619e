// Implementation of fakes/fake_llm.h: routes, prompt extraction per API, deterministic answers
// with plausible usage (Anthropic cache reads on a repeated system prompt), fault injection
// decided by a seeded hash of (request body, attempt number), batch state and the token endpoint.
#include "support/fakes/fake_llm.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/file_tree.h"

namespace pt::fake {
namespace {

using nlohmann::json;

enum class Api { anthropic, openai, gemini, vertex };

// With a charset parameter cpp-httplib does not compress responses (brotli would dominate the
// fake's CPU; real APIs answer small JSON uncompressed or gzip'd, which clients handle either way).
constexpr const char* kJson = "application/json; charset=utf-8";

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double unit(uint64_t x) { return static_cast<double>(mix(x) >> 11) * (1.0 / 9007199254740992.0); }

std::string texts_of(const json& v, const char* key = "text") {
  if (v.is_string()) return v.get<std::string>();
  std::string out;
  if (v.is_array())
    for (const auto& p : v)
      if (p.is_object() && p.contains(key) && p[key].is_string()) out += p[key].get<std::string>() + "\n";
  return out;
}

struct Prompt {
  std::string system, user, model;
  bool cache_control = false;
};

// The system and last-user texts of a request body, per API; false if the body is not one.
bool read_prompt(Api api, const std::string& body, Prompt& p) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return false;
  if (api == Api::anthropic || api == Api::openai) {
    if (!doc.contains("messages") || !doc["messages"].is_array()) return false;
    if (doc.contains("model") && doc["model"].is_string()) p.model = doc["model"].get<std::string>();
    if (api == Api::anthropic && doc.contains("system")) {
      p.system = texts_of(doc["system"]);
      p.cache_control =
          doc["system"].is_array() && !doc["system"].empty() && doc["system"].back().contains("cache_control");
    }
    for (const auto& m : doc["messages"]) {
      if (!m.is_object() || !m.contains("role")) return false;
      std::string text = m.contains("content") ? texts_of(m["content"]) : "";
      if (m["role"] == "system")
        p.system += text;
      else if (m["role"] == "user")
        p.user = text;
    }
    return true;
  }
  if (!doc.contains("contents") || !doc["contents"].is_array()) return false;
  if (doc.contains("systemInstruction") && doc["systemInstruction"].contains("parts"))
    p.system = texts_of(doc["systemInstruction"]["parts"]);
  for (const auto& c : doc["contents"])
    if (c.is_object() && c.value("role", "") == "user" && c.contains("parts")) p.user = texts_of(c["parts"]);
  return true;
}

std::string error_body(Api api, int status, const std::string& type, const std::string& message) {
  if (api == Api::anthropic) return json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
  if (api == Api::openai)
    return json{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", type}}}}.dump();
  return json{{"error", {{"code", status}, {"message", message}, {"status", type}}}}.dump();
}

struct Usage {
  int64_t input = 0, output = 0, cache_read = 0, cache_write = 0;
};

std::string answer_body(Api api, const std::string& model, const std::string& text, const Usage& u, int64_t id) {
  if (api == Api::anthropic)
    return json{{"id", "msg_fake_" + std::to_string(id)},
                {"type", "message"},
                {"role", "assistant"},
                {"model", model},
                {"content", json::array({{{"type", "text"}, {"text", text}}})},
                {"stop_reason", "end_turn"},
                {"stop_sequence", nullptr},
                {"usage",
                 {{"input_tokens", u.input},
                  {"output_tokens", u.output},
                  {"cache_creation_input_tokens", u.cache_write},
                  {"cache_read_input_tokens", u.cache_read}}}}
        .dump();
  if (api == Api::openai)
    return json{
        {"id", "chatcmpl-fake-" + std::to_string(id)},
        {"object", "chat.completion"},
        {"created", 1750000000},
        {"model", model},
        {"choices",
         json::array(
             {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", text}}}, {"finish_reason", "stop"}}})},
        {"usage",
         {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output},
          {"prompt_tokens_details", {{"cached_tokens", u.cache_read}}}}}}
        .dump();
  return json{
      {"candidates", json::array({{{"content", {{"role", "model"}, {"parts", json::array({{{"text", text}}})}}},
                                   {"finishReason", "STOP"},
                                   {"index", 0}}})},
      {"usageMetadata",
       {{"promptTokenCount", u.input}, {"candidatesTokenCount", u.output}, {"totalTokenCount", u.input + u.output}}},
      {"modelVersion", "fake-gemini"}}
      .dump();
}

// The streamed form of an answer: the SSE events each API sends (Anthropic Messages streaming,
// OpenAI chat.completion.chunk + [DONE], Gemini streamGenerateContent?alt=sse), one answer line
// per text delta.
std::vector<std::string> answer_events(Api api, const std::string& model, const std::string& text, const Usage& u,
                                       int64_t id) {
  std::vector<std::string> pieces, out;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    pieces.push_back(text.substr(start, end - start));
    start = end;
  }
  auto ev = [&](const char* name, const json& data) {
    out.push_back((name ? std::string("event: ") + name + "\n" : std::string()) + "data: " + data.dump() + "\n\n");
  };
  if (api == Api::anthropic) {
    ev("message_start", {{"type", "message_start"},
                         {"message",
                          {{"id", "msg_fake_" + std::to_string(id)},
                           {"type", "message"},
                           {"role", "assistant"},
                           {"model", model},
                           {"content", json::array()},
                           {"stop_reason", nullptr},
                           {"stop_sequence", nullptr},
                           {"usage", {{"input_tokens", u.input}, {"output_tokens", 1}}}}}});
    ev("content_block_start",
       {{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "text"}, {"text", ""}}}});
    ev("ping", {{"type", "ping"}});
    for (const auto& p : pieces)
      ev("content_block_delta",
         {{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "text_delta"}, {"text", p}}}});
    ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}});
    ev("message_delta", {{"type", "message_delta"},
                         {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                         {"usage", {{"output_tokens", u.output}}}});
    ev("message_stop", {{"type", "message_stop"}});
  } else if (api == Api::openai) {
    auto chunk = [&](const json& delta, const json& finish) {
      return json{{"id", "chatcmpl-fake-" + std::to_string(id)},
                  {"object", "chat.completion.chunk"},
                  {"created", 1750000000},
                  {"model", model},
                  {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
    };
    ev(nullptr, chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const auto& p : pieces) ev(nullptr, chunk({{"content", p}}, nullptr));
    json last = chunk(json::object(), "stop");
    last["usage"] = {{"prompt_tokens", u.input}, {"completion_tokens", u.output}, {"total_tokens", u.input + u.output}};
    ev(nullptr, last);
    out.push_back("data: [DONE]\n\n");
  } else {
    for (size_t i = 0; i < pieces.size(); ++i) {
      json c = {{"content", {{"role", "model"}, {"parts", json::array({{{"text", pieces[i]}}})}}}, {"index", 0}};
      json j = {{"candidates", json::array()}, {"modelVersion", "fake-gemini"}};
      if (i + 1 == pieces.size()) {
        c["finishReason"] = "STOP";
        j["usageMetadata"] = {
            {"promptTokenCount", u.input}, {"candidatesTokenCount", u.output}, {"totalTokenCount", u.input + u.output}};
      }
      j["candidates"].push_back(c);
      ev(nullptr, j);
    }
  }
  return out;
}

std::string b64url_decode(std::string_view in) {
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    int v = (c >= 'A' && c <= 'Z')   ? c - 'A'
            : (c >= 'a' && c <= 'z') ? c - 'a' + 26
            : (c >= '0' && c <= '9') ? c - '0' + 52
            : c == '-'               ? 62
            : c == '_'               ? 63
                                     : -1;
    if (v < 0) return "\x01invalid";
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

std::string form_value(const std::string& body, const std::string& name) {
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(name + "=", 0) == 0) return httplib::detail::decode_url(pair.substr(name.size() + 1), true);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

bool verify_rs256(const std::string& pem, const std::string& signing_input, const std::string& sig) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

// The credential a request carries for its API ("" when none).
std::string credential(Api api, const httplib::Request& req) {
  // Anthropic: x-api-key, or (the JS SDK since 1.x) Authorization: Bearer KEY.
  if (api == Api::anthropic && req.has_header("x-api-key")) return req.get_header_value("x-api-key");
  if (api == Api::gemini) return req.get_header_value("x-goog-api-key");
  std::string auth = req.get_header_value("authorization");
  return auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : auth;
}

// Debian's cpp-httplib is a compiled library that listens with a backlog of 5, which drops
// connections when hundreds open at once; listen() again on our socket raises it (Linux).
void widen_backlog(int port) {
  for (int fd = 3; fd < 4096; ++fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    int accepting = 0;
    socklen_t alen = sizeof accepting;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || addr.sin_family != AF_INET ||
        ntohs(addr.sin_port) != port)
      continue;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &alen) == 0 && accepting) ::listen(fd, 4096);
  }
}

}  // namespace

struct FakeLlm::Batch {
  std::string id;
  std::vector<std::pair<std::string, std::string>> items;  // custom_id, params JSON
  int polls = 0;
  bool ended = false;
  std::string results;  // JSONL once ended
  int64_t succeeded = 0, errored = 0, canceled = 0, expired = 0;
};

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::rate_limit: return "rate_limit";
    case Fault::server_error: return "server_error";
    case Fault::overloaded: return "overloaded";
    case Fault::timeout: return "timeout";
    case Fault::truncated: return "truncated";
    case Fault::invalid_json: return "invalid_json";
    case Fault::slow: return "slow";
  }
  return "?";
}

std::string FakeLlm::answer_for(const std::string& system_text, const std::string& user_text) {
  std::vector<std::string> paths = pt::extract_file_tree(system_text);
  if (paths.empty()) return "README.md\nsrc/index.js\n";
  uint64_t h = fnv1a(user_text, fnv1a(system_text));
  size_t k = std::min<size_t>(paths.size(), 3 + h % 3);
  std::string out;
  std::set<size_t> used;
  for (uint64_t i = 0; used.size() < k; ++i) {
    size_t idx = mix(h + i) % paths.size();
    if (used.insert(idx).second) out += paths[idx] + "\n";
  }
  return out;
}

FakeLlm::FakeLlm(FakeLlmConfig config) : cfg_(std::move(config)), server_(std::make_unique<httplib::Server>()) {
  if (!cfg_.log_path.empty()) log_ = std::fopen(cfg_.log_path.c_str(), "a");
  int threads = std::max(4, cfg_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_->set_keep_alive_max_count(1000000);
  server_->set_keep_alive_timeout(30);
  server_->set_tcp_nodelay(true);  // as real APIs answer: no Nagle wait for the client's delayed ACK
  server_->set_payload_max_length(512ull << 20);
  install_routes();
  // The packaged cpp-httplib listens with a backlog of 5: 256+ clients connecting at once would see
  // dropped SYNs and 1-30 s connect stalls. Re-listening on the bound socket raises the backlog.
  auto listen_fd = std::make_shared<int>(-1);
  server_->set_socket_options([listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    *listen_fd = static_cast<int>(sock);
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  widen_backlog(port_);
  if (*listen_fd >= 0) ::listen(*listen_fd, 4096);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeLlm::~FakeLlm() {
  stop();
  if (log_) std::fclose(log_);
}

void FakeLlm::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeLlm::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<FakeCall> FakeLlm::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}
size_t FakeLlm::call_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return call_count_;
}
size_t FakeLlm::calls_to(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& c : calls_) n += c.path.rfind(prefix, 0) == 0;
  return n;
}
size_t FakeLlm::answered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answered_;
}
std::map<std::string, int> FakeLlm::answers_by_trace() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answers_by_trace_;
}
int64_t FakeLlm::tokens_issued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_issued_;
}
std::map<std::string, int> FakeLlm::batch_requests_by_custom_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batch_requests_;
}

size_t FakeLlm::batches_created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_.size();
}

void FakeLlm::set_batch_outcomes(int canceled, int expired) {
  std::lock_guard<std::mutex> lock(mu_);
  cfg_.batch_canceled = canceled;
  cfg_.batch_expired = expired;
}
void FakeLlm::set_batch_polls_before_end(int polls) {
  std::lock_guard<std::mutex> lock(mu_);
  cfg_.batch_polls_before_end = polls;
}
void FakeLlm::set_fail_rate(double rate) {
  std::lock_guard<std::mutex> lock(mu_);
  cfg_.fail_rate = rate;
}
void FakeLlm::fail_next(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ += n;
}

bool FakeLlm::sleep_ms(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

std::optional<Fault> FakeLlm::pick_fault(const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t key = fnv1a(body);
  int attempt = ++attempts_by_body_[key];
  bool fail = false;
  if (fail_next_ > 0) --fail_next_, fail = true;
  if (static_cast<int64_t>(call_count_) < cfg_.fail_first_n) fail = true;
  uint64_t draw = mix(cfg_.seed ^ mix(key + static_cast<uint64_t>(attempt)));
  if (!fail && cfg_.fail_rate > 0 && unit(draw) < cfg_.fail_rate) fail = true;
  ++call_count_;
  if (!fail || cfg_.faults.empty()) return std::nullopt;
  return cfg_.faults[mix(draw) % cfg_.faults.size()];
}

std::string FakeLlm::redact_secrets(std::vector<std::pair<std::string, std::string>>& headers) const {
  std::string trace;
  for (auto& [name, value] : headers) {
    if (name == "x-api-key" || name == "authorization" || name == "x-goog-api-key") value = "[redacted]";
    if (name == kTraceHeader) trace = value;
  }
  return trace;
}

void FakeLlm::log_call(FakeCall call, bool answered) {
  std::lock_guard<std::mutex> lock(mu_);
  if (answered) {
    ++answered_;
    if (!call.trace_id.empty()) ++answers_by_trace_[call.trace_id];
  }
  if (log_) {
    std::fprintf(log_, "%d %s %s %s %s", call.status, call.method.c_str(), call.path.c_str(),
                 call.trace_id.empty() ? "-" : call.trace_id.c_str(), call.fault.empty() ? "-" : call.fault.c_str());
    if (cfg_.log_times) {
      int64_t now = now_us();
      std::fprintf(log_, " %lld %lld", static_cast<long long>(call.received_us ? call.received_us : now),
                   static_cast<long long>(now));
    }
    std::fputc('\n', log_);
    std::fflush(log_);
  }
  if (!cfg_.record_calls) return;
  if (!cfg_.record_bodies) call.body.clear(), call.headers.clear();
  calls_.push_back(std::move(call));
}

void FakeLlm::install_routes() {
  // One generation endpoint; `api` selects request/response shapes.
  auto generate = [this](Api api) {
    return [this, api](const httplib::Request& req, httplib::Response& res) {
      struct Active {  // tracks how many generation calls run at once
        FakeLlm* f;
        explicit Active(FakeLlm* self) : f(self) {
          int now = ++f->active_;
          int prev = f->max_active_.load();
          while (now > prev && !f->max_active_.compare_exchange_weak(prev, now)) {
          }
        }
        ~Active() { --f->active_; }
      } active(this);
      FakeCall call{req.method, req.path, {}, req.body, 0, "", "", now_us()};
      for (const auto& [k, v] : req.headers) {
        std::string name = k;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        call.headers.emplace_back(name, v);
      }
      call.trace_id = redact_secrets(call.headers);
      std::string key = credential(api, req);
      bool key_ok = true;
      if (api == Api::vertex && cfg_.require_vertex_token) {
        std::lock_guard<std::mutex> lock(mu_);
        key_ok = tokens_.count(key) > 0;
      } else if (!cfg_.expect_key.empty()) {
        key_ok = key == cfg_.expect_key;
      }
      if (!key_ok) {
        res.status = 401;
        res.set_content(error_body(api, 401, api == Api::anthropic ? "authentication_error" : "UNAUTHENTICATED",
                                   "invalid credential: " + key),
                        kJson);
        call.status = 401;
        log_call(std::move(call), false);
        return;
      }
      // As strict as the Messages API: anthropic-version header and an integer max_tokens >= 1.
      if (api == Api::anthropic) {
        auto body = nlohmann::json::parse(req.body, nullptr, false);
        const char* missing = !req.has_header("anthropic-version") ? "anthropic-version: header is required"
                              : !body.is_object() || !body.contains("max_tokens") ||
                                      !body["max_tokens"].is_number_integer() || body["max_tokens"].get<int64_t>() < 1
                                  ? "max_tokens: Field required (an integer >= 1)"
                                  : nullptr;
        if (missing) {
          res.status = 400;
          res.set_content(error_body(api, 400, "invalid_request_error", missing), kJson);
          call.status = 400;
          log_call(std::move(call), false);
          return;
        }
      }
      Prompt prompt;
      if (!read_prompt(api, req.body, prompt)) {
        res.status = 400;
        res.set_content(error_body(api, 400, "invalid_request_error", "could not read the request body"), kJson);
        call.status = 400;
        log_call(std::move(call), false);
        return;
      }
      json doc = json::parse(req.body, nullptr, false);
      if (api == Api::anthropic && (req.get_header_value("anthropic-version").empty() || !doc.contains("max_tokens"))) {
        res.status = 400;
        res.set_content(
            error_body(api, 400, "invalid_request_error",
                       req.get_header_value("anthropic-version").empty() ? "anthropic-version: header is required"
                                                                         : "max_tokens: Field required"),
            kJson);
        call.status = 400;
        log_call(std::move(call), false);
        return;
      }
      bool stream = (api == Api::gemini && req.path.find(":streamGenerateContent") != std::string::npos) ||
                    (api != Api::gemini && doc.is_object() && doc.value("stream", false) == true);
      std::optional<Fault> fault = pick_fault(req.body);
      std::string echo = cfg_.echo_key_in_errors ? " (key " + key + ")" : "";
      if (cfg_.latency_ms > 0 && !sleep_ms(cfg_.latency_ms)) return;
      if (fault) call.fault = fault_name(*fault);
      if (fault == Fault::rate_limit) {
        res.status = 429;
        if (!cfg_.retry_after.empty()) res.set_header("retry-after", cfg_.retry_after);
        if (!cfg_.retry_after_ms.empty()) res.set_header("retry-after-ms", cfg_.retry_after_ms);
        res.set_content(error_body(api, 429, api == Api::anthropic ? "rate_limit_error" : "RESOURCE_EXHAUSTED",
                                   "rate limited" + echo),
                        kJson);
      } else if (fault == Fault::server_error) {
        res.status = 500;
        res.set_content(error_body(api, 500, api == Api::anthropic ? "api_error" : "INTERNAL", "internal error" + echo),
                        kJson);
      } else if (fault == Fault::overloaded) {
        res.status = api == Api::anthropic ? 529 : 503;
        res.set_content(error_body(api, res.status, api == Api::anthropic ? "overloaded_error" : "UNAVAILABLE",
                                   "Overloaded" + echo),
                        kJson);
      } else if (fault == Fault::invalid_json) {
        res.status = 200;
        res.set_content("{\"id\": \"broken\", \"content\": [", kJson);
      } else if (fault == Fault::timeout && !sleep_ms(cfg_.timeout_ms)) {
        return;
      } else if (fault == Fault::slow && !sleep_ms(cfg_.slow_ms)) {
        return;
      }
      if (fault && *fault != Fault::timeout && *fault != Fault::slow && *fault != Fault::truncated) {
        call.status = res.status;
        log_call(std::move(call), false);
        return;
      }
      Usage u;
      int64_t sys_tokens = static_cast<int64_t>(prompt.system.size() / 4);
      u.input = static_cast<int64_t>(req.body.size() / 4);
      std::string text = answer_for(prompt.system, prompt.user);
      u.output = static_cast<int64_t>(text.size() / 4 + 1);
      int64_t id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        id = next_id_++;
        bool seen = !seen_systems_.insert(fnv1a(prompt.system)).second;
        if (api == Api::anthropic && prompt.cache_control && sys_tokens >= 1024) {
          (seen ? u.cache_read : u.cache_write) = sys_tokens;
          u.input -= sys_tokens;
        } else if (api == Api::openai && seen && sys_tokens >= 1024) {
          u.cache_read = sys_tokens / 128 * 128;
        }
      }
      std::string body = answer_body(api, prompt.model.empty() ? "fake" : prompt.model, text, u, id);
      res.status = 200;
      call.status = 200;
      if (fault == Fault::truncated && stream) {  // the stream dies mid-answer: half the events, then a reset
        auto events = std::make_shared<std::vector<std::string>>(
            answer_events(api, prompt.model.empty() ? "fake" : prompt.model, text, u, id));
        res.set_chunked_content_provider("text/event-stream", [events](size_t, httplib::DataSink& sink) {
          for (size_t i = 0; i < events->size() / 2; ++i)
            if (!sink.write((*events)[i].data(), (*events)[i].size())) return false;
          return false;  // abort: no terminating chunk
        });
        call.status = 0;
        log_call(std::move(call), false);
        return;
      }
      if (fault == Fault::truncated) {
        auto half = std::make_shared<std::string>(body.substr(0, body.size() / 2));
        res.set_content_provider(body.size(), kJson, [half](size_t, size_t, httplib::DataSink& sink) {
          sink.write(half->data(), half->size());
          return false;  // abort: the client sees fewer bytes than Content-Length
        });
        call.status = 0;
        log_call(std::move(call), false);
        return;
      }
      if (stream) {
        auto events = std::make_shared<std::vector<std::string>>(
            answer_events(api, prompt.model.empty() ? "fake" : prompt.model, text, u, id));
        res.set_chunked_content_provider("text/event-stream", [events](size_t offset, httplib::DataSink& sink) {
          (void)offset;
          for (const auto& e : *events)
            if (!sink.write(e.data(), e.size())) return false;
          sink.done();
          return true;
        });
        log_call(std::move(call), fault != Fault::timeout);
        return;
      }
      res.set_content(body, kJson);
      log_call(std::move(call), fault != Fault::timeout);
    };
  };
  install_token_count_routes();  // before the generation routes (a more specific path)
  server_->Post("/v1/messages", generate(Api::anthropic));
  server_->Post("/v1/chat/completions", generate(Api::openai));
  server_->Post(R"(/v1beta/models/([^/]+):generateContent)", generate(Api::gemini));
  server_->Post(R"(/v1beta/models/([^/]+):streamGenerateContent)", generate(Api::gemini));
  server_->Post(R"(/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/]+):generateContent)",
                generate(Api::vertex));
  server_->Post(R"(/v1/projects/([^/]+)/locations/([^/]+)/endpoints/([^/]+):generateContent)", generate(Api::vertex));

  server_->Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
    FakeCall call{req.method, req.path, {}, "[assertion]", 0, "", ""};
    std::string grant = form_value(req.body, "grant_type");
    std::string jwt = form_value(req.body, "assertion");
    std::vector<std::string> parts;
    for (size_t pos = 0;;) {
      size_t dot = jwt.find('.', pos);
      parts.push_back(jwt.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    std::string why;
    json header, claims;
    if (grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      why = "unsupported grant_type";
    else if (parts.size() != 3 || parts[2].empty())
      why = "assertion is not a signed JWT";
    else {
      header = json::parse(b64url_decode(parts[0]), nullptr, false);
      claims = json::parse(b64url_decode(parts[1]), nullptr, false);
      if (!header.is_object() || header.value("alg", "") != "RS256")
        why = "alg must be RS256";
      else if (!claims.is_object() || !claims.contains("iss") || !claims.contains("aud") || !claims.contains("exp"))
        why = "missing claims";
      else if (!cfg_.jwt_public_key_pem.empty() &&
               !verify_rs256(cfg_.jwt_public_key_pem, parts[0] + "." + parts[1], b64url_decode(parts[2])))
        why = "invalid JWT signature";
    }
    if (!why.empty()) {
      res.status = 400;
      res.set_content(json{{"error", "invalid_grant"}, {"error_description", why}}.dump(), kJson);
    } else {
      std::string token;
      {
        std::lock_guard<std::mutex> lock(mu_);
        token = "ya29.fake-" + std::to_string(++tokens_issued_);
        tokens_.insert(token);
      }
      res.status = 200;
      res.set_content(
          json{{"access_token", token}, {"expires_in", cfg_.token_expires_in}, {"token_type", "Bearer"}}.dump(), kJson);
    }
    call.status = res.status;
    log_call(std::move(call), false);
  });

  server_->Post("/v1/messages/batches", [this](const httplib::Request& req, httplib::Response& res) {
    FakeCall call{req.method, req.path, {}, req.body, 0, "", ""};
    json doc = json::parse(req.body, nullptr, false);
    auto batch = std::make_shared<Batch>();
    std::set<std::string> ids;
    bool ok = doc.is_object() && doc.contains("requests") && doc["requests"].is_array() && !doc["requests"].empty();
    if (ok) {
      for (const auto& r : doc["requests"]) {
        if (!r.is_object() || !r.contains("custom_id") || !r["custom_id"].is_string() || !r.contains("params") ||
            !ids.insert(r["custom_id"].get<std::string>()).second) {
          ok = false;
          break;
        }
        batch->items.emplace_back(r["custom_id"].get<std::string>(), r["params"].dump());
      }
    }
    if (!ok || (!cfg_.expect_key.empty() && req.get_header_value("x-api-key") != cfg_.expect_key)) {
      res.status = ok ? 401 : 400;
      res.set_content(error_body(Api::anthropic, res.status, ok ? "authentication_error" : "invalid_request_error",
                                 "bad batch request"),
                      kJson);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      batch->id = "msgbatch_fake_" + std::to_string(next_id_++);
      batches_[batch->id] = batch;
      for (const auto& item : batch->items) ++batch_requests_[item.first];
      res.status = 200;
    }
    if (res.status == 200) {
      json counts = {
          {"processing", batch->items.size()}, {"succeeded", 0}, {"errored", 0}, {"canceled", 0}, {"expired", 0}};
      res.set_content(json{{"id", batch->id},
                           {"type", "message_batch"},
                           {"processing_status", "in_progress"},
                           {"request_counts", counts},
                           {"ended_at", nullptr},
                           {"created_at", "2025-06-15T00:00:00Z"},
                           {"expires_at", "2025-06-16T00:00:00Z"},
                           {"cancel_initiated_at", nullptr},
                           {"archived_at", nullptr},
                           {"results_url", nullptr}}
                          .dump(),
                      kJson);
    }
    call.status = res.status;
    log_call(std::move(call), false);
  });

  server_->Get(R"(/v1/messages/batches/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::shared_ptr<Batch> b;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = batches_.find(req.matches[1]);
      if (it != batches_.end()) b = it->second;
    }
    FakeCall call{req.method, req.path, {}, "", 404, "", ""};
    if (!b) {
      res.status = 404;
      res.set_content(error_body(Api::anthropic, 404, "not_found_error", "no such batch"), kJson);
      log_call(std::move(call), false);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!b->ended && ++b->polls > cfg_.batch_polls_before_end) {
      b->ended = true;
      int index = 0;
      for (const auto& [custom_id, params] : b->items) {
        Prompt p;
        read_prompt(Api::anthropic, params, p);
        uint64_t h = fnv1a(params, cfg_.seed);
        json line = {{"custom_id", custom_id}};
        const int at = index++;
        if (at < cfg_.batch_canceled) {
          ++b->canceled;
          line["result"] = {{"type", "canceled"}};
        } else if (at < cfg_.batch_canceled + cfg_.batch_expired) {
          ++b->expired;
          line["result"] = {{"type", "expired"}};
        } else if (cfg_.fail_rate > 0 && unit(h) < cfg_.fail_rate) {
          ++b->errored;
          line["result"] = {
              {"type", "errored"},
              {"error", {{"type", "error"}, {"error", {{"type", "api_error"}, {"message", "fake failure"}}}}}};
        } else {
          ++b->succeeded;
          Usage u{static_cast<int64_t>(params.size() / 4), 0, 0, 0};
          std::string text = answer_for(p.system, p.user);
          u.output = static_cast<int64_t>(text.size() / 4 + 1);
          line["result"] = {{"type", "succeeded"},
                            {"message", json::parse(answer_body(Api::anthropic, p.model, text, u, next_id_++))}};
        }
        b->results += line.dump() + "\n";
      }
    }
    json counts = {{"processing", b->ended ? 0 : b->items.size()},
                   {"succeeded", b->succeeded},
                   {"errored", b->errored},
                   {"canceled", b->canceled},
                   {"expired", b->expired}};
    json out = {
        {"id", b->id},
        {"type", "message_batch"},
        {"processing_status", b->ended ? "ended" : "in_progress"},
        {"request_counts", counts},
        {"created_at", "2025-06-15T00:00:00Z"},
        {"expires_at", "2025-06-16T00:00:00Z"},
        {"ended_at", b->ended ? json("2025-06-15T00:10:00Z") : json(nullptr)},
        {"cancel_initiated_at", nullptr},
        {"archived_at", nullptr},
        {"results_url", b->ended ? json(base_url() + "/v1/messages/batches/" + b->id + "/results") : json(nullptr)}};
    res.status = 200;
    res.set_content(out.dump(), kJson);
    call.status = 200;
    if (log_) {
      std::fprintf(log_, "200 GET %s - -", req.path.c_str());
      if (cfg_.log_times)
        std::fprintf(log_, " %lld %lld", static_cast<long long>(now_us()), static_cast<long long>(now_us()));
      std::fputc('\n', log_);
      std::fflush(log_);
    }
    if (cfg_.record_calls) calls_.push_back(std::move(call));
    ++call_count_;
  });

  server_->Get(R"(/v1/messages/batches/([^/]+)/results)", [this](const httplib::Request& req, httplib::Response& res) {
    std::string body;
    bool found = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = batches_.find(req.matches[1]);
      if (it != batches_.end() && it->second->ended) found = true, body = it->second->results;
    }
    res.status = found ? 200 : 404;
    if (found)
      res.set_content(body, "application/x-jsonl; charset=utf-8");
    else
      res.set_content(error_body(Api::anthropic, 404, "not_found_error", "no results"), kJson);
    log_call(FakeCall{req.method, req.path, {}, "", res.status, "", ""}, false);
  });
}

}  // namespace pt::fake
