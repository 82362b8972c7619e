// libFuzzer target: one JSONL line through core/jsonl_row (the parser `import jsonl` uses), by
// column detection and with each table forced. A row that parses must survive a round trip
// through append_jsonl_row unchanged (but for line breaks between payload tokens, written as
// spaces), and forcing its own table must accept it too.
#include <string>

#include "core/jsonl_row.h"
#include "fuzz/fuzz_check.h"

namespace {

// The writer turns raw line breaks in the payload (whitespace between tokens) into spaces.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

bool same_row(const pt::Row& a, const pt::Row& b) {
  return a.id == b.id && a.agent_step_id == b.agent_step_id && a.user_id == b.user_id &&
         a.created_at_us == b.created_at_us && a.type == b.type && a.model == b.model &&
         one_line(a.payload) == b.payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::string_view line = fuzz_input(data, size);
  static pt::JsonlRowParser detect, traces(pt::Table::traces), relabels(pt::Table::relabels);
  pt::Row row;
  auto table = detect.parse(line, row);
  pt::Row forced_row;
  auto forced_traces = traces.parse(line, forced_row);
  auto forced_relabels = relabels.parse(line, forced_row);
  if (!table.ok()) {
    FUZZ_CHECK(!table.error().message.empty(), "an error has a reason");
    FUZZ_CHECK(table.error().message.find('\n') == std::string::npos, "a reason is one line");
    return 0;
  }
  FUZZ_CHECK(!row.id.empty(), "id is never empty");
  FUZZ_CHECK(!row.payload.empty() && row.payload.front() == '{' && row.payload.back() == '}', "payload is an object");
  FUZZ_CHECK(*table == pt::Table::traces ? forced_traces.ok() : forced_relabels.ok(),
             "forcing the detected table accepts the row");

  std::string out;
  pt::append_jsonl_row(out, *table, row);
  FUZZ_CHECK(!out.empty() && out.back() == '\n' && out.find('\n') == out.size() - 1, "one line out");
  pt::JsonlRowParser again;
  pt::Row reparsed;
  auto t2 = again.parse(std::string_view(out).substr(0, out.size() - 1), reparsed);
  FUZZ_CHECK(t2.ok(), t2.ok() ? "" : t2.error().message.c_str());
  FUZZ_CHECK(*t2 == *table, "same table after a round trip");
  FUZZ_CHECK(same_row(row, reparsed), out.c_str());
  return 0;
}
