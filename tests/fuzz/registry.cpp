// libFuzzer target: finetune registry text (data/finetunes.json shape) through parse_registry.
// A registry that parses must serialise and parse back to the same JSON, and every analysis on
// it (consistency checks, cost lines, diffs, tuning cost) must run without a crash.
#include <string>

#include "core/registry.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::string_view text = fuzz_input(data, size);
  auto reg = pt::parse_registry(text, "fuzz.json");
  if (!reg.ok()) {
    const std::string& msg = reg.error().message;
    FUZZ_CHECK(msg.rfind("fuzz.json", 0) == 0, msg.c_str());
    return 0;
  }
  std::string json = pt::registry_to_json(*reg);
  auto again = pt::parse_registry(json, "round-trip");
  FUZZ_CHECK(again.ok(), again.ok() ? "" : again.error().message.c_str());
  FUZZ_CHECK(pt::registry_to_json(*again) == json, json.c_str());
  FUZZ_CHECK(again->finetunes.size() == reg->finetunes.size(), "same entries");

  (void)pt::check_registry(*reg);
  for (const auto& f : reg->finetunes) {
    FUZZ_CHECK(reg->find(f.id) != nullptr, f.id.c_str());
    for (const auto& line : f.est_costs_as_written) (void)pt::parse_cost_line(line);
    (void)pt::tuning_cost_usd(f, 3.0);
    (void)pt::finetune_to_json(f, 2);
    FUZZ_CHECK(pt::diff_finetunes(f, f).empty(), "an entry does not differ from itself");
  }
  if (reg->finetunes.size() >= 2) (void)pt::diff_finetunes(reg->finetunes[0], reg->finetunes[1]);
  return 0;
}
