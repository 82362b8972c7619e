// The pages of the trace and evaluation browser (`picktune serve`, issue 19) as plain data and
// their renderers. server/pages/ reads the store into these views; the functions here only turn
// them into HTML (the shared stylesheet of style.h, every string escaped with escape.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.h"
#include "pipeline/eval/eval_summary.h"

namespace pt {

struct CountRow {
  std::string label, sublabel;  // e.g. type and request kind
  int64_t count = 0;
  std::string href;  // a /traces link filtered to these rows ("" = none)
};

struct TeacherCoverage {
  std::string model;
  int64_t relabels = 0;
  int64_t traces_answered = 0;  // distinct get-relevant-files traces it answers (trace id, or step + kind)
};

struct OverviewView {
  std::string store;
  std::vector<CountRow> traces;  // per type and kind
  int64_t picker_traces = 0;     // get-relevant-files traces (the coverage denominator)
  std::vector<TeacherCoverage> teachers;
  std::string newest_trace_time, newest_trace_id;
  int64_t registry_entries = 0;
  std::string registry_path, registry_problem;
  std::vector<CountRow> eval_runs;  // the newest few: label = run id, sublabel = summary
  int64_t eval_runs_total = 0;
};

struct TraceListRow {
  std::string id, time, type, kind, user, step, request;
};

// What relabelling the traces on a /traces page with a teacher would cost: the dry run of the
// relabel engine (pipeline/relabel, the same figures as `relabel --dry-run`) over those traces.
struct RelabelCostView {
  std::string teacher, tokenizer;
  int64_t traces = 0;   // get-relevant-files traces on the page
  int64_t already = 0;  // of those, already answered by this teacher
  int64_t to_do = 0;
  int64_t input_tokens = 0;   // estimated, for the ones to do
  double cost_usd = 0;        // input + typical output
  double worst_cost_usd = 0;  // input + max output tokens per call
  std::string error;          // why it could not be priced (unknown model, no price)
};

struct TraceListView {
  // The filters as typed (echoed into the form).
  std::string type, kind, user, step, since, until, text;
  std::vector<std::string> types;  // choices of the type filter
  std::vector<TraceListRow> rows;
  std::string next_href;   // "" on the last page
  std::string first_href;  // "" on the first page
  int64_t examined = 0;
  bool budget_hit = false;
  std::string error;                            // a bad filter value, shown above the table
  std::string teacher;                          // ?teacher=MODEL: price relabelling the shown traces
  std::optional<RelabelCostView> relabel_cost;  // set when teacher is
};

struct AnswerFile {
  std::string path;
  bool in_truth = false;
  bool hallucinated = false;  // not in the trace's file tree (only when it has one)
};

struct AnswerView {
  std::string source;  // "production", or the relabel's model id
  std::string role;    // production | truth | student | candidate
  std::string relabel_id, time;
  std::vector<AnswerFile> files;
  std::optional<int64_t> input_tokens, output_tokens, cached_tokens;
  std::optional<double> cost_usd;
  std::optional<int64_t> latency_ms;
  std::string problem;  // why the answer could not be read ("" = fine)
};

struct TraceDetailView {
  std::string id, time, type, kind, user, step, model, repo;
  std::string request, system, payload;  // payload: the raw JSON (shown for non-picker types)
  std::vector<std::string> tree;
  bool has_truth = false;
  std::vector<AnswerView> answers;
  std::string parse_problem;
};

struct FinetunesView {
  std::string path, problem;
  Registry registry;
  std::vector<Finding> findings;
  double price_per_mtok = 3.0;
};

// Page bodies wrapped in the shared document with the navigation bar; `active` is the nav entry.
std::string render_overview_page(const OverviewView& v);
std::string render_trace_list_page(const TraceListView& v);
std::string render_trace_detail_page(const TraceDetailView& v);
std::string render_finetunes_page(const FinetunesView& v);
std::string render_message_page(const std::string& title, const std::string& message);

// The navigation bar and document of every browser page (pages.js linked for keyboard use).
std::string browser_document(const std::string& title, const std::string& active, const std::string& body);

}  // namespace pt
