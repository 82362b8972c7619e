// Tests of core/jsonl_row: table detection, production (BigQuery export) rows, every rejection
// reason with its message, raw payload preservation, and serialization round trips.
#include <gtest/gtest.h>

#include "core/jsonl_row.h"

namespace {

using pt::JsonlRowParser;
using pt::Row;
using pt::Table;

std::string reason(std::string_view line, std::optional<Table> forced = std::nullopt) {
  JsonlRowParser p(forced);
  Row row;
  auto r = p.parse(line, row);
  return r.ok() ? "OK" : r.error().message;
}

const char* kTrace =
    R"({"id":"t1","agent_step_id":"s1","user_id":"u1","created_at":"2025-05-01T12:00:00Z","type":"get-relevant-files","payload":{"request_type":"Key","output":"a.ts\nb.ts"}})";

TEST(JsonlRow, ParsesTraceAndRelabelByColumns) {
  JsonlRowParser p;
  Row row;
  auto t = p.parse(kTrace, row);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(*t, Table::traces);
  EXPECT_EQ(row.id, "t1");
  EXPECT_EQ(row.agent_step_id, "s1");
  EXPECT_EQ(row.user_id, "u1");
  EXPECT_EQ(row.created_at_us, 1746100800000000);
  EXPECT_EQ(row.type, "get-relevant-files");
  EXPECT_EQ(row.payload, R"({"request_type":"Key","output":"a.ts\nb.ts"})");

  auto r = p.parse(
      R"({"model":"truth","payload":{},"id":"r1","agent_step_id":"s","user_id":"u","created_at":"2025-05-01"})", row);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, Table::relabels);
  EXPECT_EQ(row.model, "truth");
  EXPECT_EQ(row.type, "");  // cleared from the previous line
  EXPECT_EQ(row.payload, "{}");
}

TEST(JsonlRow, LoadsABigQueryExportRowAsIs) {
  // BigQuery NDJSON export: TIMESTAMP as "YYYY-MM-DD HH:MM:SS.ffffff UTC", JSON payload with the
  // production ids, \u003c escapes, whitespace and nested arrays; all kept byte for byte.
  std::string payload =
      R"({ "user_input_id": "ui-9", "client_session_id": "cs", "fingerprint_id": "fp", "request_type": "Non-Obvious",)"
      R"( "system": [{"type": "text", "text": "\u003cproject_file_tree\u003e\nsrc/a.ts"}], "messages": [{"role": "user", "content": [{"type": "text", "text": "fix it"}]}], "output": "", "n": -1.5e3, "ok": true, "none": null })";
  std::string line =
      R"({"id": "x", "agent_step_id": "s", "user_id": "u", "created_at": "2025-05-01 12:00:00.123456 UTC", "type": "get-relevant-files", "payload": )" +
      payload + " }\r";
  JsonlRowParser p;
  Row row;
  auto t = p.parse(line, row);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(row.created_at_us, 1746100800123456);
  EXPECT_EQ(row.payload, payload);
}

TEST(JsonlRow, ForcedTable) {
  EXPECT_EQ(reason(kTrace, Table::traces), "OK");
  EXPECT_EQ(reason(kTrace, Table::relabels), "unknown column \"type\" for table relabels");
  JsonlRowParser p(Table::relabels);
  Row row;
  auto r = p.parse(R"({"id":"a","agent_step_id":"s","user_id":"u","created_at":"2025-05-01","model":"m","payload":{}})",
                   row);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Table::relabels);
  EXPECT_EQ(
      reason(R"({"id":"a","agent_step_id":"s","user_id":"u","created_at":"2025-05-01","payload":{}})", Table::traces),
      "missing column \"type\"");
}

TEST(JsonlRow, RejectsEachKindOfBadRowNamingTheField) {
  const std::string base = R"("agent_step_id":"s","user_id":"u","created_at":"2025-05-01T00:00:00Z","type":"t")";
  EXPECT_EQ(reason(R"({"id":"a",)" + base + "}"), "missing column \"payload\"");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":{},"extra":1})"), "unknown column \"extra\"");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":[1]})"),
            "column \"payload\": expected a JSON object, got an array");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":"{}"})"),
            "column \"payload\": expected a JSON object, got a string");
  EXPECT_EQ(reason(R"({"id":7,)" + base + R"(,"payload":{}})"), "column \"id\": expected a string, got a number");
  EXPECT_EQ(reason(R"({"id":"",)" + base + R"(,"payload":{}})"), "column \"id\": empty");
  EXPECT_EQ(
      reason(R"({"id":"a","agent_step_id":"s","user_id":null,"created_at":"2025-05-01","type":"t","payload":{}})"),
      "column \"user_id\": expected a string, got null");
  EXPECT_EQ(reason(R"({"id":"a","agent_step_id":"s","user_id":"u","created_at":"yesterday","type":"t","payload":{}})"),
            "column \"created_at\": invalid timestamp \"yesterday\": expected YYYY-MM-DD");
  EXPECT_EQ(reason(R"({"id":"a","agent_step_id":"s","user_id":"u","created_at":"2025-05-01","payload":{}})"),
            "missing column \"type\" (traces) or \"model\" (relabels)");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"model":"m","payload":{}})"),
            "a row has either \"type\" (traces) or \"model\" (relabels), not both");
  EXPECT_EQ(reason(R"({"id":"a","id":"b",)" + base + R"(,"payload":{}})"), "column \"id\" appears twice");
  EXPECT_EQ(reason(R"(["a"])"), "a row must be a JSON object");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":{}} trailing)").rfind("invalid JSON (", 0), 0u);
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":{"k":")" + std::string("\xff\xfe") + R"("}})"),
            "invalid UTF-8");
  EXPECT_EQ(reason(R"({"id":"a",)" + base + R"(,"payload":{"k":")" + std::string("\xc3\xa9") + R"("}})"), "OK");
  EXPECT_EQ(reason(""), "invalid JSON (Empty: no JSON found)");
}

TEST(JsonlRow, RejectsMalformedJsonAnywhereInsideThePayload) {
  const std::string head =
      R"({"id":"a","agent_step_id":"s","user_id":"u","created_at":"2025-05-01","type":"t","payload":)";
  for (std::string bad : {R"({"a":tru})", R"({"a":nul})", R"({"a":[1,,2]})", R"({"a":01})", R"({"a":1.})", R"({"a" 1})",
                          R"({"a":"\q"})", R"({"a":{"b":[1,2}})", R"({"a":-})", "{\"a\":\"x\ty\"}"}) {
    std::string why = reason(head + bad + "}");
    EXPECT_EQ(why.rfind("column \"payload\": invalid JSON", 0) == 0 || why.rfind("invalid JSON", 0) == 0, true)
        << bad << " -> " << why;
  }
  EXPECT_EQ(reason(head + R"({"a":[1,{"b":[true,false,null,-0.5e-3,"\u00e9\n"]}]})" + "}"), "OK");
}

TEST(JsonlRow, SerializesExactlyTheSpecColumnsAndRoundTrips) {
  Row row;
  row.id = "id \"q\"\n";
  row.agent_step_id = "s\\1";
  row.user_id = "u\x01";
  row.created_at_us = 1746100800123000;
  row.type = "get-relevant-files";
  row.payload = "{\"a\":\n[1, 2]}";
  std::string line;
  pt::append_jsonl_row(line, Table::traces, row);
  EXPECT_EQ(line,
            "{\"id\":\"id "
            "\\\"q\\\"\\n\",\"agent_step_id\":\"s\\\\1\",\"user_id\":\"u\\u0001\",\"created_at\":\"2025-05-01T12:00:00."
            "123Z\","
            "\"type\":\"get-relevant-files\",\"payload\":{\"a\": [1, 2]}}\n");
  JsonlRowParser p;
  Row back;
  auto t = p.parse(std::string_view(line).substr(0, line.size() - 1), back);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(back.id, row.id);
  EXPECT_EQ(back.agent_step_id, row.agent_step_id);
  EXPECT_EQ(back.user_id, row.user_id);
  EXPECT_EQ(back.created_at_us, row.created_at_us);

  Row rel;
  rel.id = "r";
  rel.model = "truth";
  rel.payload = "{}";
  line.clear();
  pt::append_jsonl_row(line, Table::relabels, rel);
  EXPECT_EQ(
      line,
      R"({"id":"r","agent_step_id":"","user_id":"","created_at":"1970-01-01T00:00:00Z","model":"truth","payload":{}})"
      "\n");
}

}  // namespace
