// Reads the store (and the registry file) into the views of report/html/browser_views.h for the
// browser pages of `picktune serve`. Read-only: nothing here writes.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/html/browser_views.h"
#include "store/store.h"

namespace pt::server {

// Query parameters of a request (first value of each name).
using Params = std::map<std::string, std::string>;

Result<OverviewView> overview_view(Store& store, const std::string& registry_path);
// Filters from the query parameters; a bad value lands in view.error (the page still renders).
// ?teacher=MODEL adds the dry-run cost of relabelling the page's traces with it (registry ids
// resolve through `registry_path`).
Result<TraceListView> trace_list_view(Store& store, const Params& params, const std::string& registry_path = "");
// The relabel engine's dry run (`relabel --dry-run`) of `teacher` over the given traces.
RelabelCostView relabel_cost_view(Store& store, const std::string& teacher, const std::vector<std::string>& trace_ids,
                                  const std::string& registry_path);
Result<std::optional<TraceDetailView>> trace_detail_view(Store& store, const std::string& id);
FinetunesView finetunes_view(const std::string& registry_path);
// The id of the run stored just before `id` ("" when it is the oldest).
Result<std::string> previous_eval_run(Store& store, const std::string& id);

}  // namespace pt::server
