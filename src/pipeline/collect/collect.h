// collect (docs/formats.md#tuning-records, issue 5): join each get-relevant-files trace with teacher M's relabel for
// the same agent step and request kind, build tuning records under a recipe, dedup identical inputs, split by a stable
// hash, and write NAME.jsonl, NAME-validation.jsonl and NAME.manifest.json atomically. Traces are streamed
// oldest-first; only the teacher's relabels are held in memory.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/recipe.h"
#include "core/split.h"
#include "core/tuning_record.h"
#include "store/store.h"
#include "util/diagnostics.h"
#include "util/progress.h"
#include "util/result.h"

namespace pt {

// Vertex AI supervised tuning limits (docs/formats.md#tuning-records).
inline constexpr int64_t kVertexMaxExampleTokens = 131072;
inline constexpr int64_t kVertexMaxValidationExamples = 5000;
inline constexpr int64_t kVertexMaxTrainingFileBytes = int64_t{1} << 30;

struct CollectOptions {
  std::string teacher;  // relabel model id, e.g. anthropic:claude-opus-4-20250514
  std::string output_prefix = "tuning-data";
  TuningFormat format = TuningFormat::gemini;
  Recipe recipe;          // kinds, with_file_context, top_k, stop_dashes, blobbify
  std::string recipe_id;  // "" when not from the registry
  std::optional<double> validation_fraction;
  SplitBy split_by = SplitBy::step;
  std::optional<uint64_t> seed;
  std::optional<int64_t> since_us, until_us;
  int epochs = 1;
  double price_per_mtok = 3.00;
  // Token counter, called from several threads at once; empty -> the shared Gemma 3 tokenizer.
  std::function<size_t(std::string_view)> count_tokens;
  int threads = 0;  // threads working on traces; 0 -> one per core, at most 8
  // Where warnings go (bad rows, Vertex limits: the first 20, then how many more); null -> dropped.
  Diagnostics* diagnostics = nullptr;
  Progress* progress = nullptr;  // traces read out of those in the time range; null -> none
};

// Drop reasons, in manifest order.
inline constexpr const char* kDropReasons[] = {"unparseable_payload",
                                               "kind_filtered",
                                               "no_request_type",
                                               "no_relabel",
                                               "relabel_context_mismatch",
                                               "ambiguous_relabel",
                                               "relabel_unreadable",
                                               "empty_answer",
                                               "no_input",
                                               "duplicate_input",
                                               "over_token_limit",
                                               "unparseable_relabel_payload"};

struct BadRow {
  std::string table, id, error;
};

struct CollectSummary {
  int64_t traces_read = 0, relabels_read = 0;
  int64_t samples = 0, validation_samples = 0;
  std::map<std::string, int64_t> dropped;  // every reason of kDropReasons, zeros included
  std::vector<BadRow> bad_rows;            // the first kMaxBadRowsKept, with ids
  int64_t bad_rows_total = 0;
  int64_t tokens_train = 0, tokens_validation = 0, max_example_tokens = 0;
  int64_t train_bytes = 0, validation_bytes = 0;
  int64_t input_bytes = 0;  // payload bytes of the traces read
  std::string train_path, validation_path, manifest_path;
  std::vector<std::string> limit_warnings;
};

inline constexpr size_t kMaxBadRowsKept = 1000;

Result<CollectSummary> run_collect(Store& store, const CollectOptions& options);

// "NAME.jsonl", "NAME-validation.jsonl", "NAME.manifest.json" for prefix NAME (a trailing
// ".jsonl" on NAME is dropped first).
std::string train_path_for(std::string_view prefix);
std::string validation_path_for(std::string_view prefix);
std::string manifest_path_for(std::string_view prefix);

}  // namespace pt
