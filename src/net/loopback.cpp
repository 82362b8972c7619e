// Implementation of net/loopback.h: takes the host out of scheme://[user@]host[:port]/path.
#include "net/loopback.h"
#include "util/ascii.h"

#include <cctype>
#include <string>

namespace pt {

bool is_loopback_url(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(1, close - 1);
    return host == "::1";
  }
  host = rest.substr(0, rest.find(':'));
  std::string h = ascii_lower(host);
  if (h == "localhost") return true;
  if (h.rfind("127.", 0) != 0) return false;
  // 127.a.b.c with only digits and dots
  int dots = 0;
  for (char c : h) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return dots == 3;
}

}  // namespace pt
