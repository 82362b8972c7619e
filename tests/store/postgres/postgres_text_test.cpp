// Unit tests of the PostgreSQL store's text forms (no server): timestamptz input text across
// eras (BC, leap days, before 1970, µs), array literal and COPY text-format escaping.
#include <gtest/gtest.h>

#include "store/postgres/postgres_text.h"

namespace {

TEST(PgText, TimestampsAreExactUtcTextInEveryEra) {
  EXPECT_EQ(pt::pg_timestamp(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(pt::pg_timestamp(-1), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(pt::pg_timestamp(1748779200000001), "2025-06-01 12:00:00.000001+00");
  EXPECT_EQ(pt::pg_timestamp(951782400000000), "2000-02-29 00:00:00.000000+00");
  EXPECT_EQ(pt::pg_timestamp(253402300799999999), "9999-12-31 23:59:59.999999+00");
  EXPECT_EQ(pt::pg_timestamp(-62135596800000000), "0001-01-01 00:00:00.000000+00");
  EXPECT_EQ(pt::pg_timestamp(-62135596800000001), "0001-12-31 23:59:59.999999+00 BC");  // the day before year 1
  EXPECT_EQ(pt::pg_timestamp(327416950923000004), "12345-06-07 01:02:03.000004+00");
}

TEST(PgText, ArrayLiteralsQuoteAndEscapeEveryElement) {
  pt::ArrayLiteral a;
  a.add("plain");
  a.add("with \"quotes\" and \\ backslash");
  a.add("");
  a.add("{,}\n\t");
  EXPECT_EQ(a.take(), R"({"plain","with \"quotes\" and \\ backslash","","{,}
	"})");
  EXPECT_EQ(a.take(), "{}");  // empty again after take()
}

TEST(PgText, CopyRowsEscapeSeparatorsAndBackslashes) {
  pt::CopyRows rows;
  rows.field("a\tb");
  rows.field("line1\nline2\r");
  rows.field(R"({"s":"x\ny"})");
  rows.timestamp_field(1);
  rows.end_row();
  rows.field("");
  rows.field("é");
  rows.end_row();
  EXPECT_EQ(rows.take_chunk(), "a\\tb\tline1\\nline2\\r\t{\"s\":\"x\\\\ny\"}\t1970-01-01 00:00:00.000001+00\n\té");
}

}  // namespace
