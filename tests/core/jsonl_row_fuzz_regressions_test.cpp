// Regression tests for inputs found by the libFuzzer target tests/fuzz/jsonl_row.cpp (each input
// is also kept in tests/fuzz/corpus/jsonl_row/): a rejection reason is always one line.
#include <gtest/gtest.h>

#include "core/jsonl_row.h"
#include "util/time.h"

namespace {

std::string reason(std::string_view line) {
  pt::JsonlRowParser p;
  pt::Row row;
  auto r = p.parse(line, row);
  return r.ok() ? "OK" : r.error().message;
}

// The bad value was echoed raw, so a newline inside it split the one-line error in two.
TEST(JsonlFuzzRegressions, BadTimestampWithANewlineIsEscaped) {
  EXPECT_EQ(reason(R"({"id":"r","agent_step_id":"s","user_id":"u","created_at":"js\nb.js","model":"m","payload":{}})"),
            "column \"created_at\": invalid timestamp \"js\\nb.js\": expected YYYY-MM-DD");
  auto t = pt::parse_timestamp("2025-05-01\r\x01");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message.find_first_of("\r\n\x01"), std::string::npos) << t.error().message;
}

TEST(JsonlFuzzRegressions, UnknownColumnWithControlCharactersIsEscaped) {
  EXPECT_EQ(reason("{\"a\\nb\":1}"), "unknown column \"a\\nb\"");
  pt::JsonlRowParser relabels(pt::Table::relabels);
  pt::Row row;
  auto r = relabels.parse("{\"x\\u0000\\t\":1}", row);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown column \"x\\x00\\t\" for table relabels");
}

}  // namespace
