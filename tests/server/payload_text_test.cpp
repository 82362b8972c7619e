// The payload and spool-line texts serve builds member by member are byte-for-byte what dumping
// the whole object with nlohmann gives (the shape stored before the single-serialization change):
// sorted keys, escapes, numbers, non-ASCII text, and invalid UTF-8 (replaced by U+FFFD).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "server/payload_text.h"
#include "server/spool.h"

namespace {

using nlohmann::json;

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Strings mixing plain text, every control byte, quotes, backslashes, UTF-8 and stray bytes.
std::string random_text(std::mt19937& rng, bool allow_invalid) {
  static const std::vector<std::string> pieces = {
      "src/a.ts",           "\"",        "\\",     "\n",   "\t", "\r",   "\b", "\f",
      std::string(1, '\0'), "\x01",      "\x1f",   "\x7f", "é",  "文件", "😀",  " ",
      "abcdefghijklmnop",   "</script>", "\\u0041"};
  static const std::vector<std::string> bad = {"\xff", "\xc3", "\xe6\x96", "\xed\xa0\x80", "\xc0\xaf"};
  std::string s;
  int n = static_cast<int>(rng() % 40);
  for (int i = 0; i < n; ++i)
    s += allow_invalid && rng() % 8 == 0 ? bad[rng() % bad.size()] : pieces[rng() % pieces.size()];
  return s;
}

TEST(PayloadText, JoinedMembersEqualTheWholeObjectsDump) {
  std::mt19937 rng(18);
  for (int round = 0; round < 300; ++round) {
    json request = {{"messages", json::array({{{"role", "user"}, {"content", random_text(rng, round % 2)}}})},
                    {"model", "local:student@m"},
                    {"request_type", "get-relevant-files"}};
    if (round % 3) request["system"] = random_text(rng, round % 2);
    json whole = request;
    pt::server::MemberTexts extra;
    std::string output = random_text(rng, round % 2);
    whole["output"] = output;
    pt::server::append_string_text(extra["output"], output);
    double ms = std::uniform_real_distribution<double>(0, 500)(rng);
    whole["latency_ms"] = ms;
    extra["latency_ms"] = pt::server::json_text(ms);
    whole["usage"] = {{"input_tokens", rng() % 100000}, {"output_tokens", 7}, {"cached_input_tokens", 0}};
    extra["usage"] = pt::server::json_text(whole["usage"]);
    whole["stream"] = round % 2 == 0;
    extra["stream"] = pt::server::json_text(round % 2 == 0);
    whole["model"] = "overridden";  // a per-call member replaces the request's
    extra["model"] = pt::server::json_text("overridden");
    if (round % 5 == 0) {
      whole["error"] = "upstream status 529";
      pt::server::append_string_text(extra["error"], "upstream status 529");
    }
    EXPECT_EQ(pt::server::object_text(pt::server::member_texts(request), extra), dumped(whole)) << "round " << round;
    EXPECT_EQ(pt::server::object_text(pt::server::member_texts(request)), dumped(request)) << "round " << round;
  }
  EXPECT_EQ(pt::server::object_text({}), "{}");
}

json random_value(std::mt19937& rng, int depth) {
  switch (depth > 3 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng()) - (1LL << 31);
    case 3: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 4: return static_cast<uint64_t>(rng()) << 20;
    case 5: return random_text(rng, rng() % 4 == 0);
    case 6: {
      json a = json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) o[random_text(rng, false)] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(PayloadText, JsonTextEqualsNlohmannsDumpForAnyValue) {
  std::mt19937 rng(2026);
  for (int round = 0; round < 2000; ++round) {
    json v = random_value(rng, 0);
    EXPECT_EQ(pt::server::json_text(v), dumped(v)) << "round " << round;
  }
}

TEST(PayloadText, SpoolLineEqualsTheWholeObjectsDump) {
  std::mt19937 rng(1818);
  for (int round = 0; round < 300; ++round) {
    pt::server::SpooledRow r;
    r.table = round % 2 ? pt::Table::traces : pt::Table::relabels;
    r.row.id = random_text(rng, false);
    r.row.agent_step_id = random_text(rng, round % 3 == 0);
    r.row.user_id = random_text(rng, round % 3 == 1);
    r.row.type = random_text(rng, false);
    r.row.model = random_text(rng, round % 3 == 2);
    r.row.created_at_us = static_cast<int64_t>(rng()) * (round % 2 ? 1 : -1);
    r.row.payload = dumped({{"system", random_text(rng, true)}, {"output", random_text(rng, false)}});
    json whole = {{"table", round % 2 ? "traces" : "relabels"},
                  {"id", r.row.id},
                  {"agent_step_id", r.row.agent_step_id},
                  {"user_id", r.row.user_id},
                  {"created_at_us", r.row.created_at_us},
                  {"type", r.row.type},
                  {"model", r.row.model},
                  {"payload", r.row.payload}};
    std::string line = pt::server::spool_line(r);
    EXPECT_EQ(line, dumped(whole) + "\n") << "round " << round;
    auto back = pt::server::parse_spool_line(line);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->row.payload, r.row.payload);
  }
}

}  // namespace
