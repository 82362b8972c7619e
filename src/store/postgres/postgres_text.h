// Text forms the PostgreSQL store sends: timestamptz input for µs since the epoch, array
// literals (for UPDATE … FROM unnest($1::text[], …)), and COPY text-format rows. Pure string
// building, no libpq; each appends into a caller-owned buffer so the hot path reuses memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pt {

// "2025-05-01 10:00:00.000001+00" (UTC, exact to the µs; "0044-03-15 … BC" before year 1).
void append_pg_timestamp(std::string& out, int64_t micros);
std::string pg_timestamp(int64_t micros);

// A text[] literal built element by element: {"a","b\"c"}.
class ArrayLiteral {
 public:
  void add(std::string_view v);
  std::string take();  // the literal; the builder is empty afterwards

 private:
  std::string s_ = "{";
};

// COPY … FROM STDIN text format: fields separated by tabs, rows by newlines; backslash, tab,
// newline and carriage return escaped.
class CopyRows {
 public:
  void field(std::string_view v);
  void timestamp_field(int64_t micros);
  void end_row();
  size_t size() const { return buf_.size(); }
  // The rows so far without the final newline (the COPY writer adds one), then empties.
  std::string& take_chunk();
  void clear() { buf_.clear(); }

 private:
  void separate();
  std::string buf_;
  bool row_start_ = true;
};

}  // namespace pt
