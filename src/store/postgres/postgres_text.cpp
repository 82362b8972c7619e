// Implementation of store/postgres/postgres_text.h.
#include "store/postgres/postgres_text.h"

#include <iterator>

#include <fmt/format.h>

namespace pt {
namespace {

// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b) < 0); }

}  // namespace

void append_pg_timestamp(std::string& out, int64_t us) {
  const int64_t secs = floor_div(us, 1000000), days = floor_div(secs, 86400);
  const int64_t micros = us - secs * 1000000, sod = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const bool bc = y <= 0;
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00{}", bc ? 1 - y : y, m, d,
                 sod / 3600, sod / 60 % 60, sod % 60, micros, bc ? " BC" : "");
}

std::string pg_timestamp(int64_t micros) {
  std::string s;
  append_pg_timestamp(s, micros);
  return s;
}

void ArrayLiteral::add(std::string_view v) {
  s_ += s_.size() > 1 ? ",\"" : "\"";
  size_t from = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '"' && v[i] != '\\') continue;
    s_.append(v, from, i - from);
    s_ += '\\';
    from = i;
  }
  s_.append(v, from, v.size() - from);
  s_ += '"';
}

std::string ArrayLiteral::take() {
  s_ += '}';
  std::string out;
  out.swap(s_);
  s_.push_back('{');
  return out;
}

void CopyRows::separate() {
  if (!row_start_) buf_ += '\t';
  row_start_ = false;
}

void CopyRows::field(std::string_view v) {
  separate();
  size_t from = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c != '\\' && c != '\n' && c != '\t' && c != '\r') continue;
    buf_.append(v, from, i - from);
    buf_ += '\\';
    buf_ += c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
    from = i + 1;
  }
  buf_.append(v, from, v.size() - from);
}

void CopyRows::timestamp_field(int64_t micros) {
  separate();
  append_pg_timestamp(buf_, micros);
}

void CopyRows::end_row() {
  buf_ += '\n';
  row_start_ = true;
}

std::string& CopyRows::take_chunk() {
  if (!buf_.empty() && buf_.back() == '\n') buf_.pop_back();
  return buf_;
}

}  // namespace pt
