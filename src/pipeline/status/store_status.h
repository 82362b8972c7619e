// `picktune status` and `picktune prune` (issue 20): what a store holds (traces by type and request
// kind, relabels by model with how many traces each answers under THE join, students, size on disk)
// and deleting what is older than a date, all in one transaction, with a dry run that only counts.
// report/store_status_text.h renders both.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/result.h"

namespace pt {

struct ModelCoverage {
  std::string model;
  int64_t relabels = 0;  // rows of this model
  int64_t answered = 0;  // get-relevant-files traces a relabel of it answers (core/relabel_join)
};

struct StoreStatus {
  std::string store;             // describe()
  std::optional<int64_t> bytes;  // on disk, when the backend can tell
  int64_t traces = 0, relabels = 0;
  std::map<std::string, int64_t> traces_by_type;  // type -> rows
  int64_t picker_traces = 0;                      // get-relevant-files traces
  std::map<std::string, int64_t> picker_by_kind;  // Key, Non-Obvious, "(none)", "(unknown)"
  std::optional<int64_t> oldest_us, newest_us;    // created_at range over both tables
  std::vector<ModelCoverage> teachers;            // every relabel model but students, by model id
  std::vector<ModelCoverage> students;            // local:student@... models
};

Result<StoreStatus> store_status(Store& store);

// True for the model ids of trained students ("local:student", "local:student@PATH").
bool is_student_model(std::string_view model);

struct PruneReport {
  std::string store;
  int64_t before_us = 0;
  bool dry_run = false;
  Store::Pruned rows;  // deleted, or (dry run) that would be
};

// Counts the rows of both tables created before `before_us`; unless `dry_run`, deletes them in one
// transaction (all or none).
Result<PruneReport> prune_store(Store& store, int64_t before_us, bool dry_run);

}  // namespace pt
