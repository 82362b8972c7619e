// Implementation of core/split.h.
#include "core/split.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace pt {

namespace {

// Each SplitBy with its name (the --split-by value and the manifest's "split_by"), both ways.
constexpr std::pair<SplitBy, std::string_view> kSplitNames[] = {
    {SplitBy::step, "step"}, {SplitBy::user, "user"}, {SplitBy::trace, "trace"}};

}  // namespace

Result<SplitBy> parse_split_by(std::string_view text) {
  for (const auto& [by, name] : kSplitNames)
    if (text == name) return by;
  return usage_error(fmt::format("--split-by: expected step, user or trace, not \"{}\"", text));
}

std::string_view split_by_name(SplitBy by) {
  for (const auto& [value, name] : kSplitNames)
    if (value == by) return name;
  return "step";
}

std::string_view split_key(SplitBy by, std::string_view agent_step_id, std::string_view user_id,
                           std::string_view trace_id) {
  switch (by) {
    case SplitBy::step: return agent_step_id;
    case SplitBy::user: return user_id;
    case SplitBy::trace: return trace_id;
  }
  return agent_step_id;
}

std::string split_hash_input(std::string_view key, std::optional<uint64_t> seed) {
  if (!seed) return std::string(key);
  return fmt::format("{}:{}", *seed, key);
}

bool in_validation(std::string_view sha256_hex, double fraction) {
  if (sha256_hex.size() < 8) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    char c = sha256_hex[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return static_cast<double>(v) / static_cast<double>(0xffffffffULL) <= fraction;
}

Result<void> check_validation_fraction(double fraction) {
  if (!std::isfinite(fraction) || fraction <= 0.0 || fraction >= 1.0)
    return usage_error(
        fmt::format("--validation-fraction: expected a number between 0 and 1 (exclusive), not {}", fraction));
  return ok();
}

}  // namespace pt
