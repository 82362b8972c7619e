// JSONL interchange of docs/formats.md#rows: one line ⇄ one Row. Parsing tells the table by the columns
// (`type` → traces, `model` → relabels) unless one is forced, rejects unknown or missing
// columns, wrongly typed values, invalid JSON/UTF-8 and non-object payloads with a reason that
// names the column, and keeps the payload as its raw JSON text. Serializing writes exactly the
// §2 columns with created_at as RFC 3339 UTC and the payload object as stored.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/row.h"
#include "util/result.h"

namespace pt {

// Parses lines one at a time; reuses its buffers, so a warm parser allocates nothing per line
// beyond what `out` needs to grow.
class JsonlRowParser {
 public:
  explicit JsonlRowParser(std::optional<Table> forced_table = std::nullopt);
  ~JsonlRowParser();
  JsonlRowParser(JsonlRowParser&&) noexcept;
  JsonlRowParser& operator=(JsonlRowParser&&) noexcept;

  // Fills `out` (all fields overwritten) and returns its table. The error message is the bare
  // reason ("column \"created_at\": expected a string"); callers prefix FILE:LINE.
  Result<Table> parse(std::string_view line, Row& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends one JSONL line (with the trailing '\n') for `row` of `table` to `out`.
void append_jsonl_row(std::string& out, Table table, const Row& row);

}  // namespace pt
