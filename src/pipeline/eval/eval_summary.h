// What `eval score` found, as plain data: counts, per-model metric means with CIs (overall and per
// request kind), paired comparisons, the files-picked distribution and the traces the models got
// most wrong. Filled by pipeline/eval/eval_score; report/ renders it (eval_output: table and JSON,
// html_report: the page), so report depends on this data and not the other way round.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/metrics.h"

namespace pt {

inline constexpr size_t kFilesHistogramBins = 21;  // 0, 1, ..., 19, "20+"
inline constexpr size_t kCurveCutoffs = 10;        // recall@k / precision@k curves for k = 1..10

struct ModelCounts {
  std::string model;
  size_t relabels = 0;   // relabel rows of this model in the store
  size_t answered = 0;   // scored traces (reference present) this model answered
  size_t missing = 0;    // scored traces with no answer from this model
  size_t malformed = 0;  // answers whose payload could not be read (not scored)
  size_t ambiguous = 0;  // answers without request_type matching both kinds of a step (not scored)
};

struct ModelStats {
  std::string model;
  size_t n = 0;  // traces scored for this model
  std::array<MeanCI, kMetricCount> metrics{};
  std::array<size_t, kFilesHistogramBins> files_histogram{};
  // Means of recall@k and precision@k for k = 1..kCurveCutoffs over the n traces (NaN when n == 0).
  std::array<double, kCurveCutoffs> recall_curve{}, precision_curve{};
};

// One breakdown: all traces, or the traces of one request kind.
struct GroupStats {
  std::string kind;  // "" for the overall group
  size_t n = 0;      // traces with a reference in this group
  std::array<size_t, kFilesHistogramBins> reference_histogram{};
  std::vector<ModelStats> models;  // in --models order
};

struct PairMetric {
  Metric metric;
  PairedDiff result;
};
struct PairStats {
  std::string a, b;
  size_t n = 0;  // traces every model answered
  std::vector<PairMetric> metrics;
};

// One trace shown side by side in the report.
struct PickedPath {
  std::string path;
  bool in_reference = false;
  bool hallucinated = false;  // not in the trace's file tree
};
struct TraceExample {
  std::string trace_id, agent_step_id, kind, created_at, request;
  std::vector<std::string> reference;
  std::vector<std::vector<PickedPath>> picks;  // per model (--models order)
  std::vector<double> jaccard;                 // per model; NaN when it did not answer
  double disagreement = 0;                     // 1 - mean Jaccard over the models that answered
};

// A local:student@PATH model's training provenance as `eval score` saw it (issue 17).
struct StudentTraining {
  std::string model, teacher, cutoff;
  std::string store;  // the store it trained from (Store::describe() then)
  double holdout_newest = 0;
  int64_t train_traces = 0;
  int64_t selected = 0;   // traces selected for scoring
  int64_t in_sample = 0;  // of those, traces it trained on (> 0 only with --allow-training-overlap)
};

// Where the figures come from, for the report's provenance block (issue 20).
struct ScoreProvenance {
  std::string store;             // Store::describe() of the store scored
  std::string scored_at;         // RFC 3339 UTC, when the scores were computed
  std::string picktune_version;  // "VERSION (revision R, build B)"
  std::string command;           // the command line that produced them; "" when not known
};

struct EvalSummary {
  std::string reference;
  std::vector<std::string> models;
  std::string selection;  // human-readable trace selection (range, --newest)
  size_t traces = 0;      // get-relevant-files traces selected
  size_t scored = 0;      // of those, with a reference answer ("n")
  size_t missing_reference = 0;
  size_t malformed_reference = 0;
  size_t ambiguous_reference = 0;
  size_t unreadable_traces = 0;  // trace payloads that could not be parsed (not scored)
  size_t traces_with_tree = 0;   // scored traces carrying a file tree (hallucination check)
  size_t paired = 0;             // scored traces every model answered (pairs use only these)
  size_t left_out = 0;           // traces with a reference that some model did not answer (default: not scored)
  BootstrapOptions bootstrap;
  std::vector<ModelCounts> counts;  // --models order
  GroupStats overall;
  std::vector<GroupStats> by_kind;  // sorted by kind
  std::vector<PairStats> pairs;
  std::vector<TraceExample> disagreements;  // most disagreement first
  std::vector<std::string> warnings;        // one line each, for the report (also sent to diagnostics)
  std::vector<StudentTraining> students;    // provenance of the local:student@PATH models
  bool in_sample = false;                   // some figure is in-sample (--allow-training-overlap)
  std::string scored_digest;  // sha256 of the scored trace ids, sorted and '\n'-joined: same digest, same traces
  std::string run_id;         // the stored evaluation run (pipeline/eval/eval_runs.h); "" when not saved
  ScoreProvenance provenance;
};

}  // namespace pt
