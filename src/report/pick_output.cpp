// Implementation of report/pick_output.h.
#include "report/pick_output.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pt {

std::string format_pick(const PickResult& r) {
  std::string out;
  if (r.files.empty()) out += "no file picked\n";
  for (size_t i = 0; i < r.files.size(); ++i)
    out += fmt::format("{:>3}  {:>9.4f}  {}\n", i + 1, r.files[i].score, r.files[i].path);
  out += fmt::format("{} over {} files of {}{} in {:.1f} ms\n", r.model, r.candidates, r.source,
                     r.recent ? fmt::format(" ({} recent commits)", r.recent) : std::string(), r.elapsed_ms);
  return out;
}

std::string format_pick_json(const PickResult& r) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : r.files) files.push_back({{"path", f.path}, {"score", f.score}});
  nlohmann::ordered_json doc = {{"model", r.model},           {"source", r.source}, {"candidates", r.candidates},
                                {"recent_commits", r.recent}, {"files", files},     {"elapsed_ms", r.elapsed_ms}};
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace pt
