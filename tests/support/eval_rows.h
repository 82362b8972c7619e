// Rows for eval and report tests: get-relevant-files traces with a file tree and a Key picker
// prompt, and relabel rows (kind-less and trace-less ones for production-style answers). The
// store they go into is the in-memory store of src/store/memory.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "core/row.h"

namespace pt::test {

// A get-relevant-files trace whose system prompt carries `tree` (none when empty).
inline Row make_trace(const std::string& id, const std::string& step, const std::string& kind, int64_t t,
                      const std::vector<std::string>& tree, const std::string& request) {
  nlohmann::json p;
  if (!kind.empty()) p["request_type"] = kind;
  p["system"] = "You pick files.\n" + (tree.empty() ? std::string() : render_file_tree(tree));
  p["messages"] = nlohmann::json::array({{{"role", "user"}, {"content", key_picker_prompt(request, 10)}}});
  p["output"] = "";
  return Row{id, step, "u1", t, "get-relevant-files", "", p.dump()};
}

// A relabel row; `kind` "" leaves request_type out (a production relabel); `trace_id` likewise.
inline Row make_relabel(const std::string& id, const std::string& model, const std::string& step,
                        const std::string& kind, const std::string& output, const std::string& trace_id = "",
                        int64_t t = 1) {
  nlohmann::json p;
  if (!kind.empty()) p["request_type"] = kind;
  if (!trace_id.empty()) p["trace_id"] = trace_id;
  p["output"] = output;
  return Row{id, step, "u1", t, "", model, p.dump()};
}

}  // namespace pt::test
