// The student model file (written by `student train -o FILE`, read by local:student@FILE).
// One JSON object, UTF-8, numbers in shortest round-trip form:
//   "format": "picktune-student"         always; anything else is not a student model
//   "version": 1                         kStudentFormatVersion; other versions are refused
//   "features": [NAME, ...]              ranker/features.h names in order; must match this build
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
// Errors name the file and the field: "m.json: history.files[3]: expected [path, count, ...]".
#pragma once

namespace pt::ranker {

inline constexpr int kStudentFormatVersion = 1;
inline constexpr const char* kStudentFormatName = "picktune-student";

}  // namespace pt::ranker
