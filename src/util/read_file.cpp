// Implementation of util/read_file.h.
#include "util/read_file.h"

#include <fstream>
#include <sstream>

namespace pt {

Result<std::string> read_file(const std::string& path, std::string_view cannot_open) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return runtime_error(path + ": " + std::string(cannot_open));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return runtime_error(path + ": read error");
  return buf.str();
}

}  // namespace pt
