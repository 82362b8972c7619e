// SHA-256 helpers (OpenSSL) shared by the pipeline: stable ids, sampling and validation splits.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pt {

// Lowercase hex sha256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace pt
