// Implementation of util/time.h: hand-rolled RFC 3339 parsing and formatting.
#include "util/time.h"

#include <fmt/format.h>

namespace pt {
namespace {

bool read_digits(std::string_view s, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> parse_timestamp(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return runtime_error(fmt::format("invalid timestamp {:?}: {}", s.substr(0, 64), why));
  };
  size_t pos = 0;
  int64_t y, mo, d, h = 0, mi = 0, se = 0, frac_us = 0, offset_s = 0;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) || !expect(s, pos, '-') ||
      !read_digits(s, pos, 2, d))
    return bad("expected YYYY-MM-DD");
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return bad("month or day out of range");
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad("expected 'T' after the date");
    ++pos;
    if (!read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi)) return bad("expected HH:MM");
    if (expect(s, pos, ':') && !read_digits(s, pos, 2, se)) return bad("expected seconds");
    if (h > 23 || mi > 59 || se > 60) return bad("time out of range");
    if (expect(s, pos, '.')) {
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) frac_us = frac_us * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return bad("empty fraction");
      for (int i = digits; i < 6; ++i) frac_us *= 10;
    }
    if (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos == s.size()) {
      // no zone: taken as UTC
    } else if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s.substr(pos) == "UTC") {
      pos = s.size();
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int64_t oh, om;
      if (!read_digits(s, pos, 2, oh)) return bad("bad zone offset");
      expect(s, pos, ':');
      if (!read_digits(s, pos, 2, om)) return bad("bad zone offset");
      offset_s = sign * (oh * 3600 + om * 60);
    } else {
      return bad("unexpected text after the time");
    }
    if (pos != s.size()) return bad("unexpected text after the zone");
  }
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  return secs * 1000000 + frac_us;
}

std::string format_rfc3339(int64_t us) {
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  int64_t frac = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600, (rem / 60) % 60, rem % 60);
  if (frac % 1000000 == 0) {
  } else if (frac % 1000 == 0) {
    out += fmt::format(".{:03}", frac / 1000);
  } else {
    out += fmt::format(".{:06}", frac);
  }
  out += 'Z';
  return out;
}

Result<std::optional<int64_t>> parse_time_filter(std::string_view flag_name, std::string_view text) {
  if (text.empty()) return std::optional<int64_t>();
  auto t = parse_timestamp(text);
  if (!t.ok()) return usage_error(fmt::format("{}: {}", flag_name, t.error().message));
  return std::optional<int64_t>(*t);
}

}  // namespace pt
