// A tuning-data recipe: the options that distinguish one finetune's data from another's
// (docs/formats.md#tuning-records, the `recipe` object of data/finetunes.json). collect and student train take one.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/request_kind.h"

namespace pt {

struct Recipe {
  std::vector<RequestKind> request_kinds = {RequestKind::key, RequestKind::non_obvious};
  bool with_file_context = false;
  std::optional<int> top_k;
  bool stop_dashes = false;
  bool blobbify_history = false;
  std::optional<std::string> adapter_size;  // tuning option, not a data option
};

}  // namespace pt
