// Implementation of core/request_kind.h.
#include "core/request_kind.h"

#include <fmt/format.h>

namespace pt {

std::string_view to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::absent:
      return "";
    case RequestKind::key:
      return "Key";
    case RequestKind::non_obvious:
      return "Non-Obvious";
    case RequestKind::unknown:
      break;
  }
  return "unknown";
}

RequestKind request_kind_of(std::string_view request_type) {
  if (request_type.empty()) return RequestKind::absent;
  if (request_type == "Key") return RequestKind::key;
  if (request_type == "Non-Obvious") return RequestKind::non_obvious;
  return RequestKind::unknown;
}

Result<RequestKind> parse_request_kind(std::string_view text, std::string_view flag) {
  RequestKind kind = request_kind_of(text);
  if (!is_known(kind)) return usage_error(fmt::format("{}: expected Key or Non-Obvious, not \"{}\"", flag, text));
  return kind;
}

}  // namespace pt
