// Implementation of core/request_kind.h.
#include "core/request_kind.h"

#include <fmt/format.h>

namespace pt {

std::string_view to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::absent: return "";
    case RequestKind::key: return "Key";
    case RequestKind::non_obvious: return "Non-Obvious";
    case RequestKind::unknown: break;
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

Result<std::vector<RequestKind>> parse_request_kinds(std::string_view csv, std::string_view flag) {
  std::vector<RequestKind> kinds;
  size_t pos = 0;
  while (true) {
    size_t comma = csv.find(',', pos);
    std::string_view item = csv.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    PT_ASSIGN_OR_RETURN(RequestKind kind, parse_request_kind(item, flag));
    kinds.push_back(kind);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return kinds;
}

std::vector<std::string> request_kind_names(const std::vector<RequestKind>& kinds) {
  std::vector<std::string> names;
  for (RequestKind kind : kinds) names.emplace_back(to_string(kind));
  return names;
}

std::string join_request_kinds(const std::vector<RequestKind>& kinds, std::string_view separator) {
  std::string out;
  for (RequestKind kind : kinds) {
    if (!out.empty()) out += separator;
    out += to_string(kind);
  }
  return out;
}

}  // namespace pt
