// Reading a whole (small) file into memory: the one reader for configuration, manifests, model
// files and uploads. Large inputs go through util/line_reader instead.
#pragma once
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

// The bytes of `path`. When it cannot be opened the error is "PATH: <cannot_open>" (the caller
// says what the file was, e.g. "cannot read the price table"); a failed read is "PATH: read error".
Result<std::string> read_file(const std::string& path, std::string_view cannot_open);

}  // namespace pt
