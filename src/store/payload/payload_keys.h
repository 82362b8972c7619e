// Reads the two payload fields the stores keep in their own indexed columns: `request_type`
// (the request kind, for the (agent_step_id, model, request kind) index) and `trace_id` (the
// trace a relabel answers). One reader per store: it reuses its parse buffer, so extracting
// costs no allocation per row once warm.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pt {

struct PayloadKeys {
  std::string request_type;  // "" when absent or not a string
  std::string trace_id;      // "" when absent or not a string
};

class PayloadKeyReader {
 public:
  PayloadKeyReader();
  ~PayloadKeyReader();
  // Errors when the payload is not a JSON object; absent or non-string fields read as "".
  Result<void> read(std::string_view payload_json, PayloadKeys& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pt
