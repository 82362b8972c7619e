// An in-memory Store for eval tests (header-only): keeps rows in vectors and applies RowFilter the
// way the SQL stores do (payload.request_type read from the JSON), so eval logic is tested without
// depending on a backend. Also helpers to build get-relevant-files traces and relabel rows.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_tree.h"
#include "core/picker_prompt.h"
#include "store/store.h"

namespace pt::test {

class MemoryStore : public Store {
 public:
  std::vector<Row> traces, relabels;

  std::string describe() const override { return "memory:"; }
  Result<void> init() override { return ok(); }
  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override {
    auto& v = table == Table::traces ? traces : relabels;
    UpsertStats s;
    for (const Row& r : rows) {
      auto it = std::find_if(v.begin(), v.end(), [&](const Row& x) { return x.id == r.id; });
      if (it != v.end())
        *it = r, ++s.updated;
      else
        v.push_back(r), ++s.inserted;
    }
    return s;
  }
  Result<void> scan(Table table, const RowFilter& f, const std::function<bool(Row&&)>& visit) override {
    std::vector<Row> rows = matching(table, f);
    for (auto& r : rows)
      if (!visit(std::move(r))) break;
    return ok();
  }
  Result<int64_t> count(Table table, const RowFilter& f) override {
    return static_cast<int64_t>(matching(table, f).size());
  }
  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    for (const Row& r : table == Table::traces ? traces : relabels)
      if (r.id == id) return std::optional<Row>(r);
    return std::optional<Row>();
  }
  Result<std::vector<RelabelKey>> relabeled_keys(const std::string& /*model*/) override {
    return std::vector<RelabelKey>{};
  }

 private:
  static std::string kind_of(const Row& r) {
    auto j = nlohmann::json::parse(r.payload, nullptr, false);
    return j.is_object() && j.contains("request_type") && j["request_type"].is_string()
               ? j["request_type"].get<std::string>()
               : "";
  }
  std::vector<Row> matching(Table table, const RowFilter& f) const {
    std::vector<Row> out;
    for (const Row& r : table == Table::traces ? traces : relabels) {
      if (f.type && r.type != *f.type) continue;
      if (f.model && r.model != *f.model) continue;
      if (f.user_id && r.user_id != *f.user_id) continue;
      if (f.agent_step_id && r.agent_step_id != *f.agent_step_id) continue;
      if (f.request_type && kind_of(r) != *f.request_type) continue;
      if (f.since_us && r.created_at_us < *f.since_us) continue;
      if (f.until_us && r.created_at_us >= *f.until_us) continue;
      out.push_back(r);
    }
    std::stable_sort(out.begin(), out.end(), [&](const Row& a, const Row& b) {
      return f.order == RowFilter::Order::newest_first ? a.created_at_us > b.created_at_us
                                                       : a.created_at_us < b.created_at_us;
    });
    if (f.limit && static_cast<int64_t>(out.size()) > *f.limit) out.resize(static_cast<size_t>(*f.limit));
    return out;
  }
};

// A get-relevant-files trace whose system prompt carries `tree` (none when empty).
inline Row make_trace(const std::string& id, const std::string& step, const std::string& kind, int64_t t,
                      const std::vector<std::string>& tree, const std::string& request) {
  nlohmann::json p;
  if (!kind.empty()) p["request_type"] = kind;
  p["system"] = "You pick files.\n" + (tree.empty() ? std::string() : render_file_tree(tree));
  p["messages"] = nlohmann::json::array({{{"role", "user"}, {"content", key_picker_prompt(request, 10)}}});
  p["output"] = "";
  return Row{id, step, "u1", t, "get-relevant-files", "", p.dump()};
}

// A relabel row; `kind` "" leaves request_type out (a production relabel); `trace_id` likewise.
inline Row make_relabel(const std::string& id, const std::string& model, const std::string& step,
                        const std::string& kind, const std::string& output, const std::string& trace_id = "",
                        int64_t t = 1) {
  nlohmann::json p;
  if (!kind.empty()) p["request_type"] = kind;
  if (!trace_id.empty()) p["trace_id"] = trace_id;
  p["output"] = output;
  return Row{id, step, "u1", t, "", model, p.dump()};
}

}  // namespace pt::test
