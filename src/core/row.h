// The two tables of docs/formats.md#rows as one row type: `traces` (with `type`) and `relabels` (with `model`).
// created_at is kept as microseconds since the Unix epoch (UTC); payload is the JSON object text
// exactly as received, so a row round-trips through every store and JSONL unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pt {

enum class Table { traces, relabels };

inline std::string_view table_name(Table t) { return t == Table::traces ? "traces" : "relabels"; }
// The column that holds a row's kind: `type` for traces, `model` for relabels.
inline std::string_view kind_column(Table t) { return t == Table::traces ? "type" : "model"; }

struct Row {
  std::string id;
  std::string agent_step_id;
  std::string user_id;
  int64_t created_at_us = 0;
  std::string type;     // traces only: trace type (get-relevant-files, file-trees, ...)
  std::string model;    // relabels only: teacher / candidate model id, or `truth`
  std::string payload;  // a JSON object
};

// Trace types of docs/formats.md#trace-types.
inline constexpr std::string_view kGetRelevantFiles = "get-relevant-files";
inline constexpr std::string_view kExpandedContext = "get-expanded-file-context-for-training";
inline constexpr std::string_view kExpandedContextBlobs = "get-expanded-file-context-for-training-blobs";
inline constexpr std::string_view kFileTrees = "file-trees";
inline constexpr std::string_view kAgentResponse = "agent-response";
inline constexpr std::string_view kGradeRun = "grade-run";

// Model id of git-derived ground truth relabels (docs/formats.md#rows).
inline constexpr std::string_view kTruthModel = "truth";

}  // namespace pt
