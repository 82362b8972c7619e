// The capture proxy over loopback against the strict fake upstreams: all three wire formats,
// streamed and not; status/body passed through; traces checked field by field; upstream faults;
// the provider's own 400/404/413 shapes; the auth token; local models answering in each format.
#include <gtest/gtest.h>

#include "server/serve_fixture.h"
#include "server/wire.h"

namespace {

using nlohmann::json;
using pt::server::Provider;
using pt_test::kPrompt;
using pt_test::kSystem;
using pt_test::ServeFixture;

const std::string kKey = "sk-test-secret-key";

struct Call {
  std::string path;
  std::string body;
  httplib::Headers headers;
};

Call make_call(Provider p, bool stream, const std::string& model = "") {
  Call c;
  if (p == Provider::anthropic) {
    c.path = "/anthropic/v1/messages";
    json b = {{"model", model.empty() ? "claude-x" : model},
              {"max_tokens", 256},
              {"system", kSystem},
              {"messages", json::array({{{"role", "user"}, {"content", kPrompt}}})},
              {"metadata", {{"user_id", "meta-user"}}}};
    if (stream) b["stream"] = true;
    c.body = b.dump();
    c.headers = {{"x-api-key", kKey}, {"anthropic-version", "2023-06-01"}};
  } else if (p == Provider::openai) {
    c.path = "/openai/v1/chat/completions";
    json b = {{"model", model.empty() ? "gpt-x" : model},
              {"messages",
               json::array({{{"role", "system"}, {"content", kSystem}}, {{"role", "user"}, {"content", kPrompt}}})},
              {"user", "body-user"}};
    if (stream) b["stream"] = true;
    c.body = b.dump();
    c.headers = {{"Authorization", "Bearer " + kKey}};
  } else {
    std::string m = model.empty() ? "gemini-x" : model;
    c.path = "/gemini/v1beta/models/" + m + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    json part_sys = {{"text", kSystem}}, part_user = {{"text", kPrompt}};
    json content = {{"role", "user"}, {"parts", json::array({part_user})}};
    json b = {{"systemInstruction", {{"parts", json::array({part_sys})}}}, {"contents", json::array({content})}};
    c.body = b.dump();
    c.headers = {{"x-goog-api-key", kKey}};
  }
  c.headers.emplace("X-Picktune-Agent-Step", "step-7");
  c.headers.emplace("X-Picktune-User", "user-3");
  return c;
}

httplib::Result send(ServeFixture& f, const Call& c) {
  auto cl = f.client();
  return cl.Post(c.path, c.headers, c.body, "application/json");
}

// The answer text of a whole body or of an SSE stream, read independently of the server's parser.
std::string answer_text(Provider p, bool stream, const std::string& body) {
  if (!stream) {
    json j = json::parse(body);
    if (p == Provider::anthropic) return j["content"][0]["text"];
    if (p == Provider::openai) return j["choices"][0]["message"]["content"];
    return j["candidates"][0]["content"]["parts"][0]["text"];
  }
  std::string text;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) != 0 || line == "data: [DONE]") continue;
    json j = json::parse(line.substr(6));
    if (p == Provider::anthropic && j["type"] == "content_block_delta") text += j["delta"]["text"];
    if (p == Provider::openai && !j["choices"].empty() && j["choices"][0]["delta"].contains("content"))
      text += j["choices"][0]["delta"]["content"];
    if (p == Provider::gemini) text += j["candidates"][0]["content"]["parts"][0]["text"];
  }
  return text;
}

struct Case {
  Provider provider;
  bool stream;
};
std::string case_name(const ::testing::TestParamInfo<Case>& i) {
  return std::string(pt::server::provider_name(i.param.provider)) + (i.param.stream ? "Stream" : "Whole");
}

class ProxyFormats : public ::testing::TestWithParam<Case> {};

TEST_P(ProxyFormats, ForwardsAnswersUnchangedAndStoresTheTrace) {
  auto [p, stream] = GetParam();
  ServeFixture f;
  Call c = make_call(p, stream);
  auto r = send(f, c);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  // The fake reads Gemini parts as text lines ("\n" after each part).
  std::string nl = p == Provider::gemini ? "\n" : "";
  std::string expected = pt::fake::FakeLlm::answer_for(kSystem + nl, kPrompt + nl);
  EXPECT_EQ(answer_text(p, stream, r->body), expected);
  if (stream) {
    EXPECT_NE(r->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
    EXPECT_NE(r->body.find("data: "), std::string::npos);
  }
  std::string id = r->get_header_value("X-Picktune-Trace-Id");
  ASSERT_EQ(id.size(), 32u);
  // The upstream got the caller's key and none of picktune's own headers.
  auto calls = f.fake->calls();
  ASSERT_EQ(calls.size(), 1u);
  for (const auto& [k, v] : calls[0].headers) EXPECT_EQ(k.rfind("x-picktune-", 0), std::string::npos) << k;
  EXPECT_EQ(calls[0].body, c.body);
  f.stop();

  pt::Row row;
  json t = f.trace(id, &row);
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(row.type, "get-relevant-files");
  EXPECT_EQ(row.agent_step_id, "step-7");
  EXPECT_EQ(row.user_id, "user-3");
  EXPECT_GT(row.created_at_us, 0);
  EXPECT_EQ(t["output"], expected);
  EXPECT_EQ(t["request_type"], "Key");
  EXPECT_EQ(t["stream"], stream);
  EXPECT_EQ(t["status"], 200);
  EXPECT_FALSE(t.contains("error")) << t.dump();
  EXPECT_EQ(t["provider"], pt::server::provider_name(p));
  EXPECT_GT(t["usage"]["input_tokens"].get<int64_t>(), 0);
  EXPECT_GT(t["usage"]["output_tokens"].get<int64_t>(), 0);
  EXPECT_GT(t["latency_ms"].get<double>(), 0);
  EXPECT_GE(t["latency_ms"].get<double>(), t["upstream_latency_ms"].get<double>());
  // System and messages as SPEC-formats stores them.
  std::string system =
      t["system"].is_string() ? t["system"].get<std::string>() : t["system"][0]["text"].get<std::string>();
  EXPECT_EQ(system, kSystem);
  ASSERT_EQ(t["messages"].size(), 1u);
  EXPECT_EQ(t["messages"][0]["role"], "user");
  EXPECT_EQ(t["messages"][0]["content"], kPrompt);
  EXPECT_EQ(t["model"], p == Provider::anthropic ? "claude-x" : p == Provider::openai ? "gpt-x" : "gemini-x");
  EXPECT_EQ(row.payload.find(kKey), std::string::npos) << "the caller's key was stored";
  // The stored trace reads back through the evaluation parser.
  auto parsed = pt::parse_picker_call(row.payload);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(pt::last_user_text(*parsed), kPrompt);
}

INSTANTIATE_TEST_SUITE_P(All, ProxyFormats,
                         ::testing::Values(Case{Provider::anthropic, false}, Case{Provider::anthropic, true},
                                           Case{Provider::openai, false}, Case{Provider::openai, true},
                                           Case{Provider::gemini, false}, Case{Provider::gemini, true}),
                         case_name);

TEST(Proxy, UserIdFallsBackToTheProviderField) {
  ServeFixture f;
  Call a = make_call(Provider::anthropic, false), o = make_call(Provider::openai, false);
  a.headers.erase("X-Picktune-User");
  o.headers.erase("X-Picktune-User");
  auto ra = send(f, a), ro = send(f, o);
  ASSERT_TRUE(ra && ro);
  f.stop();
  pt::Row row;
  f.trace(ra->get_header_value("X-Picktune-Trace-Id"), &row);
  EXPECT_EQ(row.user_id, "meta-user");
  f.trace(ro->get_header_value("X-Picktune-Trace-Id"), &row);
  EXPECT_EQ(row.user_id, "body-user");
}

TEST(Proxy, WrongKeyIsTheUpstreamsAnswerAndIsNeverStored) {
  ServeFixture f;
  Call c = make_call(Provider::anthropic, false);
  c.headers.erase("x-api-key");
  c.headers.emplace("x-api-key", "sk-wrong-key-123");
  auto r = send(f, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  std::string id = r->get_header_value("X-Picktune-Trace-Id");
  f.stop();
  pt::Row row;
  json t = f.trace(id, &row);
  EXPECT_EQ(t["status"], 401);
  EXPECT_EQ(row.payload.find("sk-wrong-key-123"), std::string::npos);
}

struct FaultCase {
  pt::fake::Fault fault;
  int status;  // what the caller sees
};

class ProxyFaults : public ::testing::TestWithParam<FaultCase> {};

TEST_P(ProxyFaults, PassedThroughAndRecordedWithTheError) {
  pt::fake::FakeLlmConfig fc;
  fc.faults = {GetParam().fault};
  fc.fail_first_n = 1;
  fc.timeout_ms = 3000;
  fc.retry_after = "7";
  pt::server::ServeOptions so;
  so.upstream_timeout_ms = 400;
  ServeFixture f(fc, so);
  Call c = make_call(Provider::anthropic, false);
  auto r = send(f, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, GetParam().status) << r->body;
  std::string id = r->get_header_value("X-Picktune-Trace-Id");
  ASSERT_FALSE(id.empty());
  json e = json::parse(r->body, nullptr, false);
  switch (GetParam().fault) {
    case pt::fake::Fault::rate_limit:  // the upstream's own answer, unchanged
      EXPECT_EQ(r->get_header_value("retry-after"), "7");
      EXPECT_EQ(r->body, R"({"error":{"message":"rate limited","type":"rate_limit_error"},"type":"error"})");
      break;
    case pt::fake::Fault::invalid_json: EXPECT_EQ(r->body, "{\"id\": \"broken\", \"content\": ["); break;
    case pt::fake::Fault::timeout:
    case pt::fake::Fault::truncated:  // picktune's own error, in the provider's shape
      EXPECT_EQ(e["type"], "error");
      EXPECT_EQ(e["error"]["type"], "api_error");
      break;
    default: EXPECT_EQ(e["type"], "error");
  }
  f.stop();
  json t = f.trace(id);
  ASSERT_FALSE(t.is_null());
  EXPECT_TRUE(t.contains("error")) << t.dump();
  EXPECT_EQ(t["output"], "");
  EXPECT_EQ(t["status"], GetParam().status);
}

INSTANTIATE_TEST_SUITE_P(
    All, ProxyFaults,
    ::testing::Values(FaultCase{pt::fake::Fault::rate_limit, 429}, FaultCase{pt::fake::Fault::server_error, 500},
                      FaultCase{pt::fake::Fault::overloaded, 529}, FaultCase{pt::fake::Fault::timeout, 504},
                      FaultCase{pt::fake::Fault::invalid_json, 200}, FaultCase{pt::fake::Fault::truncated, 502}),
    [](const auto& i) { return std::string(pt::fake::fault_name(i.param.fault)); });

TEST(Proxy, MalformedBodyIs400InTheProvidersShapeAndStoresNothing) {
  ServeFixture f;
  auto cl = f.client();
  auto a = cl.Post("/anthropic/v1/messages", "{not json", "application/json");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 400);
  EXPECT_EQ(json::parse(a->body)["type"], "error");
  EXPECT_EQ(json::parse(a->body)["error"]["type"], "invalid_request_error");
  auto o = cl.Post("/openai/v1/chat/completions", R"({"model": "m"})", "application/json");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 400);
  EXPECT_EQ(json::parse(o->body)["error"]["message"], "messages: expected an array");
  auto g = cl.Post("/gemini/v1beta/models/g:generateContent", "[]", "application/json");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 400);
  EXPECT_EQ(json::parse(g->body)["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(f.fake->call_count(), 0u);
  f.stop();
  EXPECT_EQ(*f.store->count(pt::Table::traces, {}), 0);
}

TEST(Proxy, UnknownRouteIs404InTheProvidersShape) {
  ServeFixture f;
  auto cl = f.client();
  auto o = cl.Post("/openai/v1/embeddings", "{}", "application/json");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 404);
  EXPECT_NE(json::parse(o->body)["error"]["message"].get<std::string>().find("/openai/v1/embeddings"),
            std::string::npos);
  auto g = cl.Get("/gemini/v1beta/models");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 404);
  EXPECT_EQ(json::parse(g->body)["error"]["status"], "NOT_FOUND");
  auto a = cl.Post("/anthropic/v1/complete", "{}", "application/json");
  ASSERT_TRUE(a);
  EXPECT_EQ(json::parse(a->body)["error"]["type"], "not_found_error");
}

TEST(Proxy, BodyOverTheLimitIs413) {
  pt::server::ServeOptions so;
  so.max_body = 1000;
  ServeFixture f({}, so);
  Call c = make_call(Provider::openai, false);
  json b = json::parse(c.body);
  b["messages"][1]["content"] = std::string(5000, 'x');
  auto cl = f.client();
  auto r = cl.Post(c.path, c.headers, b.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(json::parse(r->body)["error"].contains("message"));
  EXPECT_EQ(f.fake->call_count(), 0u);
}

TEST(Proxy, AuthTokenIsRequiredWhenSet) {
  pt::server::ServeOptions so;
  so.auth_token = "tok-123";
  ServeFixture f({}, so);
  Call c = make_call(Provider::anthropic, false);
  auto r = send(f, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["error"]["type"], "authentication_error");
  EXPECT_EQ(f.fake->call_count(), 0u);
  c.headers.emplace("X-Picktune-Token", "tok-123");
  r = send(f, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.fake->call_count(), 1u);
  const auto calls = f.fake->calls();  // a copy: the loop must not outlive a temporary
  for (const auto& [k, v] : calls[0].headers) EXPECT_NE(v, "tok-123") << k;
}

TEST(Proxy, NonLoopbackListenNeedsAToken) {
  pt::server::ServeOptions so;
  EXPECT_TRUE(pt::server::parse_listen("0.0.0.0:0", so).ok());
  auto dir = pt_test::fresh_dir("serve-nl-");
  auto store = std::move(pt::open_store(pt::StoreOptions{"sqlite:" + dir + "/t.db"})).value();
  auto s = pt::server::Server::start(*store, so);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, pt::ErrorKind::usage);
  EXPECT_NE(s.error().message.find("--auth-token"), std::string::npos);
  EXPECT_FALSE(pt::server::parse_listen("localhost", so).ok());
  EXPECT_FALSE(pt::server::parse_listen("h:99999", so).ok());
}

TEST(Proxy, HealthzAndMetrics) {
  ServeFixture f;
  auto r = send(f, make_call(Provider::openai, false));
  ASSERT_TRUE(r);
  auto cl = f.client();
  auto h = cl.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto m = cl.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("# TYPE picktune_requests_total counter"), std::string::npos);
  EXPECT_NE(m->body.find("picktune_upstream_calls_total 1"), std::string::npos);
  EXPECT_NE(m->body.find("picktune_capture_queue_depth"), std::string::npos);
  EXPECT_NE(m->body.find("picktune_spool_bytes"), std::string::npos);
}

class LocalFormats : public ::testing::TestWithParam<Case> {};

TEST_P(LocalFormats, Bm25AnswersInTheRoutesFormat) {
  auto [p, stream] = GetParam();
  ServeFixture f;
  Call c = make_call(p, stream, "local:bm25");
  if (p == Provider::gemini)
    c.path = std::string("/gemini/v1beta/models/local:bm25") +
             (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  auto r = send(f, c);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(f.fake->call_count(), 0u);
  std::string text = answer_text(p, stream, r->body);
  EXPECT_NE(text.find("login"), std::string::npos) << text;  // bm25 ranks the login files for a login request
  f.stop();
  json t = f.trace(r->get_header_value("X-Picktune-Trace-Id"));
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["output"], text);
  EXPECT_EQ(t["model"], "local:bm25");
}

INSTANTIATE_TEST_SUITE_P(All, LocalFormats,
                         ::testing::Values(Case{Provider::anthropic, false}, Case{Provider::anthropic, true},
                                           Case{Provider::openai, false}, Case{Provider::openai, true},
                                           Case{Provider::gemini, false}, Case{Provider::gemini, true}),
                         case_name);

TEST(Local, UnknownLocalModelIs400) {
  ServeFixture f;
  auto r = send(f, make_call(Provider::openai, false, "local:nope"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("local:nope"), std::string::npos);
}

}  // namespace
