// The student model file (written by `student train -o FILE`, read by local:student@FILE).
// One JSON object, UTF-8, numbers in shortest round-trip form:
//   "format": "picktune-student"         always; anything else is not a student model
//   "version": 3                         kStudentFormatVersion; other versions are refused (3: issue_shape,
//   quotes_message) "features": [NAME, ...]              ranker/features.h names in order; must match this build
//   "meta": {"teacher", "train_traces", "tune_traces", "seed", "trained_at"}
//   "calibration": {"max_k": K, "margin": M | null}   (null = no score margin)
//   "candidates": {"max_window_files", "top_bm25", "top_name", "top_cochange", "top_words"}
//   "history": {
//     "short_half_life", "long_half_life", "events", "target_total",
//     "files":    [[PATH, COUNT, DECAY_SHORT, DECAY_LONG, STEP], ...]      file id = position
//     "cochange": [[F, G1, C1, G2, C2, ...], ...]      rows of file F (only non-empty rows)
//     "dirs":     [[DIR, COUNT], ...]   "exts": [[EXT, COUNT], ...]       dir / ext id = position
//     "words":    [[WORD, EVENTS, [F, C, ...], [DIR, C, ...], [EXT, C, ...]], ...]
//   }
//   "trees": [{"feature": [...], "threshold": [...], "left": [...], "right": [...],
//              "value": [...]}, ...]      node arrays; feature -1 marks a leaf; node 0 is the root
//   "paths_only": {"calibration": {...}, "trees": [...]}   optional: the ensemble for calls whose
//                                         file contents are unknown (a model trained with contents)
//   "provenance": {                       optional (files before issue 17 lack it); what it trained on
//     "teacher", "store", "holdout_newest": F, "cutoff": RFC3339 | "" (created_at of the oldest
//     held-out trace; every training trace is older or equal), "traces_total", "train_traces",
//     "holdout_traces", "trace_ids": [ID, ...] (sorted; exact ids, so no false positives),
//     "stores": [{"store", "holdout_newest", "cutoff", "traces_total", "train_traces", "holdout_traces"}]
//       (optional; one per store trained on, each with its own held-out window; with several stores
//       the top-level "store" and "cutoff" are theirs joined by " + ", the counts their sums),
//     "hyper_parameters": {"selected_on": "tune", "valid_traces": N, "chosen": I, "trials":
//       [{"max_leaves", "min_leaf_rows", "learning_rate", "trees", "valid_recall5", "valid_ndcg"}]}
//       (optional: present when hyper-parameters were chosen by validation)}
// Errors name the file and the field: "m.json: history.files[3]: expected [path, count, ...]".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pt::ranker {

inline constexpr int kStudentFormatVersion = 3;
inline constexpr const char* kStudentFormatName = "picktune-student";

// One hyper-parameter candidate tried by `student train`: fitted on the fit traces, scored on the
// tune traces (the newest share of the training window; never the held-out window).
struct HyperTrial {
  int max_leaves = 0, min_leaf_rows = 0;
  double learning_rate = 0;
  int trees = 0;             // kept by early stopping on the tune traces
  double valid_recall5 = 0;  // mean recall@5 of the tune traces (the choice)
  double valid_ndcg = 0;     // mean NDCG@10 (ties)
};

// One store a model trained on: a repository's history, its own held-out window.
struct StoreProvenance {
  std::string store;  // Store::describe()
  double holdout_newest = 0;
  std::string cutoff;  // created_at of this store's oldest held-out trace ("" when none)
  int64_t traces_total = 0, train_traces = 0, holdout_traces = 0;
};

// The training-provenance section: written next to the model by `student train`, read by
// `eval relabel` / `eval score` to refuse (or mark in-sample) scoring on training traces.
struct TrainingProvenance {
  std::string teacher;
  std::string store;          // Store::describe() of the store it was trained from
  double holdout_newest = 0;  // --holdout-newest F (store/newest_window.h)
  std::string cutoff;         // created_at of the oldest held-out trace, "" when nothing was held out
  int64_t traces_total = 0;   // get-relevant-files traces in the store at training time
  int64_t train_traces = 0;   // fit + tune
  int64_t holdout_traces = 0;
  std::vector<std::string> trace_ids;   // every trace it trained on (fit + tune), sorted
  std::vector<StoreProvenance> stores;  // per store (files before issue 21 lack it: empty)
  // Hyper-parameters chosen by validation on the tune traces (empty: no search was made).
  int64_t hyper_valid_traces = 0;  // tune traces they were scored on
  std::vector<HyperTrial> hyper_trials;
  int hyper_chosen = -1;

  bool trained_on(const std::string& trace_id) const;
};

// `model_json` (StudentModel::serialize()) with the "provenance" section added.
std::string add_training_provenance(std::string model_json, const TrainingProvenance& provenance);
// The section of a model file's text; nullopt when the file has none. Errors name source and field.
Result<std::optional<TrainingProvenance>> read_training_provenance(std::string_view text, std::string_view source);
Result<std::optional<TrainingProvenance>> load_training_provenance(const std::string& path);

}  // namespace pt::ranker
