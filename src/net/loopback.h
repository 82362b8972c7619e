// Whether a URL points at this machine (127.0.0.0/8, ::1, localhost). picktune-specific request
// headers (x-picktune-trace-id, used by the loopback test fakes) are sent only to such hosts, never
// to a real provider.
#pragma once
#include <string_view>

namespace pt {

bool is_loopback_url(std::string_view url);

}  // namespace pt
