// UTC timestamps as microseconds since the Unix epoch: parsing RFC 3339 (and the BigQuery
// export form "YYYY-MM-DD HH:MM:SS[.ffffff] UTC", and bare dates for filters) and formatting
// back to RFC 3339 with a `Z` suffix. Pure arithmetic, no time-zone database.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

// Accepts "2025-05-01", "2025-05-01T12:00:00Z", "2025-05-01T12:00:00.123+02:00",
// "2025-05-01 12:00:00.123456 UTC". Error message names what is wrong.
Result<int64_t> parse_timestamp(std::string_view text);

// The one parser of the --since/--until filters of every command: the forms
// parse_timestamp accepts, µs since the epoch; "" means no filter (nullopt); a bad value is a
// usage error naming the flag: "--since: invalid timestamp \"x\": …".
Result<std::optional<int64_t>> parse_time_filter(std::string_view flag_name, std::string_view text);

// "2025-05-01T12:00:00Z", or with .mmm / .uuuuuu when the value has a fraction.
std::string format_rfc3339(int64_t micros);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

}  // namespace pt
