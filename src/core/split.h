// The stable validation split of collect (docs/formats.md#validation-split): production's rule —
// the first 8 hex digits of sha256(key) as an integer / 0xffffffff ≤ fraction → validation —
// applied to the agent step (default), the user or the trace id. Pure: the caller computes the
// sha256 (OpenSSL lives in pipeline/) of split_hash_input() and passes the hex digest in.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

enum class SplitBy { step, user, trace };

Result<SplitBy> parse_split_by(std::string_view text);
std::string_view split_by_name(SplitBy by);

// The key a row is split by: its agent step id, user id or trace id.
std::string_view split_key(SplitBy by, std::string_view agent_step_id, std::string_view user_id,
                           std::string_view trace_id);

// The text to hash: the key itself (production's rule) or, with a seed, "SEED:KEY".
std::string split_hash_input(std::string_view key, std::optional<uint64_t> seed);

// Production's rule on a lowercase/uppercase sha256 hex digest (at least 8 hex digits).
// A digest that is too short or not hex is treated as training (never validation).
bool in_validation(std::string_view sha256_hex, double fraction);

// Checks a --validation-fraction value: a finite number with 0 < F < 1.
Result<void> check_validation_fraction(double fraction);

}  // namespace pt
