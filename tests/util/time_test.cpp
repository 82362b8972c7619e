// Tests for core/time: RFC 3339 and BigQuery timestamp forms, round trips, bad input.
#include <gtest/gtest.h>

#include "util/time.h"

namespace pt {
namespace {

TEST(Time, ParsesRfc3339Forms) {
  EXPECT_EQ(*parse_timestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_timestamp("2025-05-01T12:00:00Z"), 1746100800LL * 1000000);
  EXPECT_EQ(*parse_timestamp("2025-05-01T14:00:00+02:00"), 1746100800LL * 1000000);
  EXPECT_EQ(*parse_timestamp("2025-05-01 12:00:00.5 UTC"), 1746100800LL * 1000000 + 500000);
  EXPECT_EQ(*parse_timestamp("2025-05-01"), 1746057600LL * 1000000);
}

TEST(Time, FormatsAndRoundTrips) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1746100800LL * 1000000 + 123000), "2025-05-01T12:00:00.123Z");
  EXPECT_EQ(format_rfc3339(1746100800LL * 1000000 + 123456), "2025-05-01T12:00:00.123456Z");
  for (int64_t us : {0LL, 1LL, 951782400000000LL, 4102444800123456LL, -86400000000LL})
    EXPECT_EQ(*parse_timestamp(format_rfc3339(us)), us) << us;
}

TEST(Time, RejectsGarbageWithReason) {
  auto r = parse_timestamp("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("YYYY-MM-DD"), std::string::npos);
  EXPECT_FALSE(parse_timestamp("2025-13-01").ok());
  EXPECT_FALSE(parse_timestamp("2025-05-01T12:00:00Zjunk").ok());
}

TEST(TimeFilter, AcceptsEveryFormOfTheFlagsAndNamesTheFlagOnError) {
  const int64_t noon = 1746100800LL * 1000000;  // 2025-05-01T12:00:00Z
  EXPECT_EQ(*parse_time_filter("--since", "2025-05-01T12:00:00Z"), noon);
  EXPECT_EQ(*parse_time_filter("--since", "2025-05-01T14:00:00+02:00"), noon);
  EXPECT_EQ(*parse_time_filter("--until", "2025-05-01 12:00:00.000001 UTC"), noon + 1);
  EXPECT_EQ(*parse_time_filter("--until", "2025-05-01"), noon - 12LL * 3600 * 1000000);
  auto none = parse_time_filter("--since", "");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto bad = parse_time_filter("--until", "last week");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
  EXPECT_EQ(bad.error().message.rfind("--until: ", 0), 0u) << bad.error().message;
  EXPECT_NE(bad.error().message.find("last week"), std::string::npos);
}

}  // namespace
}  // namespace pt
