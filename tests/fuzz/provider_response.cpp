// libFuzzer target: provider reply bodies -> Completion, through each remote model's
// parse_response (anthropic Messages, openai Chat Completions, gemini generateContent) and the
// shared error-body reader. Byte 0 picks the provider and the HTTP status; the rest is the body.
// Invariants: never a crash or an exception; error messages are one line and never hold the key.
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "providers/anthropic.h"
#include "providers/model.h"

namespace {

constexpr const char* kKey = "sk-fuzz-0123456789-SECRET";
std::unique_ptr<pt::RemoteModel> g_models[3];

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const char* var : {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"}) setenv(var, kKey, 1);
  const char* ids[3] = {"anthropic:claude-opus-4-20250514", "openai:gpt-4o-2024-08-06", "gemini:gemini-2.0-flash-001"};
  for (int i = 0; i < 3; ++i) {
    auto m = pt::make_remote_model(ids[i], pt::ModelOptions{});
    if (!m.ok()) {
      std::fprintf(stderr, "fuzz: %s: %s\n", ids[i], m.error().message.c_str());
      std::abort();
    }
    g_models[i] = std::move(*m);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  if (size == 0) return 0;
  const int statuses[4] = {200, 429, 500, 0};
  const pt::RemoteModel& model = *g_models[data[0] % 3];
  pt::HttpResponse r;
  r.status = statuses[(data[0] >> 2) & 3];
  r.body.assign(fuzz_input(data + 1, size - 1));
  if (r.status == 0) r.transport_error = "timeout";

  auto c = model.parse_response(r);
  if (!c.ok()) {
    const std::string& msg = c.error().message;
    FUZZ_CHECK(!msg.empty(), "an error has a message");
    FUZZ_CHECK(msg.find(kKey) == std::string::npos, "the key is never in a message");
    if (r.status != 200) FUZZ_CHECK(msg.find('\n') == std::string::npos, "HTTP errors are one line");
    return 0;
  }
  FUZZ_CHECK(r.status == 200, "only a 2xx reply parses");
  const pt::Usage& u = c->usage;
  FUZZ_CHECK(
      u.input_tokens >= 0 && u.output_tokens >= 0 && u.cached_input_tokens >= 0 && u.cache_write_input_tokens >= 0,
      "token counts are never negative");
  double cost = model.cost_usd(u);
  FUZZ_CHECK(cost >= 0, "cost is never negative");
  if (data[0] % 3 == 0) {  // the batch client shares the Messages parser
    auto again = pt::anthropic_parse_message(r.body);
    FUZZ_CHECK(again.ok() && again->text == c->text, "anthropic_parse_message agrees with parse_response");
  }
  return 0;
}
