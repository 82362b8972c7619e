// The request kind of a file-picker call (payload.request_type in the production rows): Key or
// Non-Obvious, two different picker prompts for one agent step that a join must never mix. An
// absent field and a value that is neither kind are kept apart explicitly; C++ code names the
// field `request_kind` everywhere (the JSON field keeps its production name, request_type).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pt {

enum class RequestKind : uint8_t {
  absent,       // no request_type (production relabels, rows from other sources)
  key,          // "Key"
  non_obvious,  // "Non-Obvious"
  unknown,      // any other value: never joined by kind, never selected by --kinds
};

// The payload spelling: "Key", "Non-Obvious"; "" for absent, "unknown" for unknown.
std::string_view to_string(RequestKind kind);

// A payload's request_type value: "" -> absent, "Key" / "Non-Obvious", anything else -> unknown.
RequestKind request_kind_of(std::string_view request_type);

// A flag value naming one kind ("Key" or "Non-Obvious"); anything else is a usage error naming `flag`.
Result<RequestKind> parse_request_kind(std::string_view text, std::string_view flag);

// A comma-separated flag value of kinds ("Key,Non-Obvious"); an unknown or empty item is a usage error
// naming `flag`.
Result<std::vector<RequestKind>> parse_request_kinds(std::string_view csv, std::string_view flag);

// The payload spellings of `kinds`, in order (the registry's and manifests' `request_kinds` array).
std::vector<std::string> request_kind_names(const std::vector<RequestKind>& kinds);

// The payload spellings of `kinds` joined by `separator` ("Key+Non-Obvious").
std::string join_request_kinds(const std::vector<RequestKind>& kinds, std::string_view separator);

// True for Key and Non-Obvious (the kinds a trace can be joined and selected by).
inline bool is_known(RequestKind kind) { return kind == RequestKind::key || kind == RequestKind::non_obvious; }

}  // namespace pt
