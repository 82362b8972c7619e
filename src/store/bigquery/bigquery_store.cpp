// BigQuery backend of the Store interface (store/bigquery/bigquery_store.h): tables partitioned by month
// on created_at and clustered on (user_id, agent_step_id) like production; payload a STRING that
// keeps the imported JSON text byte for byte (BigQuery's JSON type re-serializes key order,
// spacing and numbers; production tables with a JSON payload are read and written too). Every
// value is a NAMED query parameter; SQL text holds only validated table names.
#include "store/bigquery/bigquery_store.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <random>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "net/gcp_auth.h"
#include "store/bigquery/bigquery_rest.h"
#include "store/payload/payload_keys.h"

namespace pt {
namespace {

using nlohmann::json;

std::string stage_name(Table t) { return "picktune_stage_" + std::string(table_name(t)); }

json field(const char* name, const char* type, const char* mode = "REQUIRED") {
  return {{"name", name}, {"type", type}, {"mode", mode}};
}

json row_fields(Table t) {
  return json::array({field("id", "STRING"), field("agent_step_id", "STRING"), field("user_id", "STRING"),
                      field("created_at", "TIMESTAMP"), field(t == Table::traces ? "type" : "model", "STRING"),
                      field("payload", "STRING")});
}

enum class Outcome { inserted, updated, unchanged };

bool same_columns(const Row& a, const Row& b, Table t) {
  return a.agent_step_id == b.agent_step_id && a.user_id == b.user_id && a.created_at_us == b.created_at_us &&
         (t == Table::traces ? a.type == b.type : a.model == b.model) && a.payload == b.payload;
}

Outcome outcome(const Row& row, const Row* before, Table t) {
  if (!before) return Outcome::inserted;
  return same_columns(row, *before, t) ? Outcome::unchanged : Outcome::updated;
}

void tally(UpsertStats& s, Outcome o, int64_t sign) {
  (o == Outcome::inserted ? s.inserted : o == Outcome::updated ? s.updated : s.unchanged) += sign;
}

class BigQueryStore final : public Store {
 public:
  BigQueryStore(BigQueryStoreOptions options, BigQueryRest rest) : o_(std::move(options)), rest_(std::move(rest)) {}

  std::string describe() const override { return rest_.options().store_name; }

  Result<void> init() override {
    for (Table t : {Table::traces, Table::relabels}) PT_TRY(ensure_table(t));
    return ok();
  }

  Result<UpsertStats> upsert(Table table, std::span<const Row> rows) override;

  Result<void> scan(Table table, const RowFilter& filter, const std::function<bool(Row&&)>& visit) override {
    std::vector<BqParam> params;
    PT_ASSIGN_OR_RETURN(std::string where, where_clause(table, filter, params));
    std::string sql =
        fmt::format("SELECT {} FROM {}{} ORDER BY created_at {}, id {}", columns(table), ref(table_name(table)), where,
                    filter.order == RowFilter::Order::newest_first ? "DESC" : "ASC",
                    filter.order == RowFilter::Order::newest_first ? "DESC" : "ASC");
    if (filter.limit && *filter.limit >= 0) {
      sql += " LIMIT @limit";
      params.push_back(BqParam::int64("limit", *filter.limit));
    }
    std::string doing = "reading " + std::string(table_name(table));
    auto r = rest_.query(sql, params, doing, [&](BigQueryRest::Cells&& cells, int64_t index) -> Result<bool> {
      PT_ASSIGN_OR_RETURN(Row row, to_row(table, std::move(cells), index, doing));
      return visit(std::move(row));
    });
    if (!r.ok()) return hinted(r.error());
    return ok();
  }

  // One query job: the relabels of the filter whose agent step, or whose payload.trace_id, is one of
  // the trace window's (the same window SQL as scan(), with its order and limit, as sub-selects).
  Result<bool> scan_relabels_joining(const RowFilter& relabels, const RowFilter& traces,
                                     const std::function<bool(Row&&)>& visit) override {
    std::vector<BqParam> params;
    PT_ASSIGN_OR_RETURN(std::string where, where_clause(Table::relabels, relabels, params));
    PT_ASSIGN_OR_RETURN(std::string window, where_clause(Table::traces, traces, params, "t_"));
    const char* dir = traces.order == RowFilter::Order::newest_first ? "DESC" : "ASC";
    window += fmt::format(" ORDER BY created_at {0}, id {0}", dir);
    if (traces.limit && *traces.limit >= 0) {
      window += " LIMIT @t_limit";
      params.push_back(BqParam::int64("t_limit", *traces.limit));
    }
    const std::string from = ref(table_name(Table::traces));
    where += fmt::format(
        "{0} (agent_step_id IN (SELECT agent_step_id FROM {1}{2}) OR JSON_VALUE(payload, '$.trace_id') IN (SELECT id "
        "FROM {1}{2}))",
        where.empty() ? " WHERE" : " AND", from, window);
    const char* order = relabels.order == RowFilter::Order::newest_first ? "DESC" : "ASC";
    std::string sql = fmt::format("SELECT {0} FROM {1}{2} ORDER BY created_at {3}, id {3}", columns(Table::relabels),
                                  ref(table_name(Table::relabels)), where, order);
    if (relabels.limit && *relabels.limit >= 0) {
      sql += " LIMIT @limit";
      params.push_back(BqParam::int64("limit", *relabels.limit));
    }
    std::string doing = "reading the relabels of the traces' window";
    auto r = rest_.query(sql, params, doing, [&](BigQueryRest::Cells&& cells, int64_t index) -> Result<bool> {
      PT_ASSIGN_OR_RETURN(Row row, to_row(Table::relabels, std::move(cells), index, doing));
      return visit(std::move(row));
    });
    if (!r.ok()) return hinted(r.error());
    return true;
  }

  Result<int64_t> count(Table table, const RowFilter& filter) override {
    std::vector<BqParam> params;
    PT_ASSIGN_OR_RETURN(std::string where, where_clause(table, filter, params));
    PT_ASSIGN_OR_RETURN(
        int64_t n, count_query(fmt::format("SELECT COUNT(*) AS n FROM {}{}", ref(table_name(table)), where), params,
                               "counting " + std::string(table_name(table))));
    if (filter.limit && *filter.limit >= 0) n = std::min(n, *filter.limit);
    return n;
  }

  Result<std::optional<Row>> get(Table table, const std::string& id) override {
    PT_ASSIGN_OR_RETURN(auto rows, rows_by_ids(table, {id}));
    if (rows.empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows.front()));
  }

  Result<void> open() { return init(); }

  // eval_runs is created by the first save (reading commands never create tables); a dataset
  // without it has no runs. A run is one streamed row (insertId = run id, so a retried request
  // adds it once); the id check before it is not atomic, but run ids are random.
  Result<void> save_eval_run(const EvalRunRow& run) override {
    if (run.id.empty()) return runtime_error(fmt::format("{}: an evaluation run has an empty id", describe()));
    if (!eval_runs_ready_) {
      json resource = table_resource(
          kEvalRuns, json::array({field("id", "STRING"), field("created_at", "TIMESTAMP"), field("body", "STRING")}));
      resource["description"] = "picktune evaluation runs (docs/formats.md#eval-runs): one row per `eval score`";
      PT_TRY(ensure(kEvalRuns, resource));
      eval_runs_ready_ = true;
    }
    PT_ASSIGN_OR_RETURN(auto existing, get_eval_run(run.id));
    if (existing) return runtime_error(fmt::format("{}: evaluation run {} is already stored", describe(), run.id));
    json rows = json::array(
        {{{"insertId", run.id},
          {"json", {{"id", run.id}, {"created_at", bq_timestamp_text(run.created_at_us)}, {"body", run.body}}}}});
    PT_ASSIGN_OR_RETURN(bool found,
                        rest_.insert_all(o_.target.dataset, kEvalRuns, rows, {run.id}, "saving an evaluation run"));
    if (!found) return runtime_error(fmt::format("{}: table {} vanished while saving a run", describe(), kEvalRuns));
    return ok();
  }

  Result<std::vector<EvalRunRow>> list_eval_runs() override { return eval_runs_where("", {}); }

  Result<std::optional<EvalRunRow>> get_eval_run(const std::string& id) override {
    PT_ASSIGN_OR_RETURN(auto runs, eval_runs_where(" WHERE id = @id", {BqParam::string("id", id)}));
    if (runs.empty()) return std::optional<EvalRunRow>();
    return std::optional<EvalRunRow>(std::move(runs.front()));
  }

 private:
  // `project.dataset.table` for SQL (names validated by parse_bigquery_uri).
  std::string ref(std::string_view table) const {
    return fmt::format("`{}.{}.{}`", o_.target.project, o_.target.dataset, table);
  }
  std::string dataset_path() const { return "/datasets/" + o_.target.dataset; }

  static std::string columns(Table t) {
    return fmt::format("id, agent_step_id, user_id, UNIX_MICROS(created_at) AS created_us, {}, payload",
                       kind_column(t));
  }

  Error hinted(const Error& e) const {
    if (e.message.find("HTTP 404") == std::string::npos) return e;
    return runtime_error(e.message + fmt::format(" (create the tables with `picktune init --store {}`)", describe()));
  }

  Error malformed(int64_t index, const std::string& doing, const std::string& id, const std::string& why) const {
    return runtime_error(fmt::format("{}: {}: malformed row {} of the result{}: {}", describe(), doing, index + 1,
                                     id.empty() ? "" : fmt::format(" (id \"{}\")", id), why));
  }

  Result<Row> to_row(Table t, BigQueryRest::Cells&& c, int64_t index, const std::string& doing) const {
    if (c.size() != 6) return malformed(index, doing, "", fmt::format("expected 6 columns, got {}", c.size()));
    if (!c[0] || c[0]->empty()) return malformed(index, doing, "", "id is missing");
    const std::string& id = *c[0];
    if (!c[3]) return malformed(index, doing, id, "created_at is missing");
    Row row;
    const char* begin = c[3]->c_str();
    char* end = nullptr;
    errno = 0;
    row.created_at_us = std::strtoll(begin, &end, 10);
    if (end == begin || *end != '\0' || errno != 0)
      return malformed(index, doing, id, fmt::format("created_at \"{}\" is not a timestamp", *c[3]));
    size_t first = c[5] ? c[5]->find_first_not_of(" \t\r\n") : std::string::npos;
    if (first == std::string::npos || (*c[5])[first] != '{')
      return malformed(index, doing, id, "payload is not a JSON object");
    row.id = std::move(*c[0]);
    row.agent_step_id = c[1].value_or("");
    row.user_id = c[2].value_or("");
    (t == Table::traces ? row.type : row.model) = c[4].value_or("");
    row.payload = std::move(*c[5]);
    return row;
  }

  // `prefix` names the parameters ("t_" for a sub-select's, so they never clash with the outer ones).
  Result<std::string> where_clause(Table table, const RowFilter& f, std::vector<BqParam>& params,
                                   const std::string& prefix = "") const {
    if (f.type && table != Table::traces) return usage_error("a type filter applies to traces only");
    if (f.model && table != Table::relabels) return usage_error("a model filter applies to relabels only");
    PT_ASSIGN_OR_RETURN(const std::optional<std::string_view> request_type, request_type_column_value(f));
    std::vector<std::string> conds;
    auto text = [&](const auto& v, const char* name, const char* expr) {
      if (!v) return;
      conds.push_back(fmt::format("{} = @{}{}", expr, prefix, name));
      params.push_back(BqParam::string(prefix + name, std::string(*v)));
    };
    text(f.type, "type", "type");
    text(f.model, "model", "model");
    text(f.user_id, "user_id", "user_id");
    text(f.agent_step_id, "agent_step_id", "agent_step_id");
    text(request_type, "request_type", "COALESCE(JSON_VALUE(payload, '$.request_type'), '')");
    // A number or boolean request_type is no kind (as in SQLite); JSON_QUERY on a JSON column is
    // JSON, not text, so production tables skip this (their kinds are strings).
    if (request_type && !request_type->empty() && !payload_json_[table == Table::traces ? 0 : 1])
      conds.push_back("STARTS_WITH(JSON_QUERY(payload, '$.request_type'), '\"')");
    if (f.since_us) {
      conds.push_back("created_at >= @" + prefix + "since");
      params.push_back(BqParam::timestamp(prefix + "since", *f.since_us));
    }
    if (f.until_us) {
      conds.push_back("created_at < @" + prefix + "until");
      params.push_back(BqParam::timestamp(prefix + "until", *f.until_us));
    }
    if (f.after) {
      const char* op = f.order == RowFilter::Order::newest_first ? "<" : ">";
      conds.push_back(fmt::format(
          "(created_at {0} @{1}after_at OR (created_at = @{1}after_at AND id {0} @{1}after_id))", op, prefix));
      params.push_back(BqParam::timestamp(prefix + "after_at", f.after->created_at_us));
      params.push_back(BqParam::string(prefix + "after_id", f.after->id));
    }
    std::string out;
    for (const std::string& c : conds) out += (out.empty() ? " WHERE " : " AND ") + c;
    return out;
  }

  Result<int64_t> count_query(const std::string& sql, const std::vector<BqParam>& params, const std::string& doing) {
    int64_t n = -1;
    auto r = rest_.query(sql, params, doing, [&](BigQueryRest::Cells&& c, int64_t index) -> Result<bool> {
      if (c.size() != 1 || !c[0]) return malformed(index, doing, "", "expected one count");
      n = std::strtoll(c[0]->c_str(), nullptr, 10);
      return false;
    });
    if (!r.ok()) return hinted(r.error());
    if (n < 0) return runtime_error(fmt::format("{}: {}: BigQuery returned no count", describe(), doing));
    return n;
  }

  Result<std::vector<Row>> rows_by_ids(Table table, std::vector<std::string> ids) {
    std::string sql = fmt::format("SELECT {} FROM {} WHERE id IN UNNEST(@ids)", columns(table), ref(table_name(table)));
    std::string doing = "reading " + std::string(table_name(table));
    std::vector<Row> rows;
    auto r = rest_.query(sql, {BqParam::strings("ids", std::move(ids))}, doing,
                         [&](BigQueryRest::Cells&& c, int64_t index) -> Result<bool> {
                           PT_ASSIGN_OR_RETURN(Row row, to_row(table, std::move(c), index, doing));
                           rows.push_back(std::move(row));
                           return true;
                         });
    if (!r.ok()) return hinted(r.error());
    return rows;
  }

  Result<void> ensure_dataset() {
    PT_ASSIGN_OR_RETURN(auto ds, rest_.call("GET", dataset_path(), nullptr, "looking up the dataset", true));
    if (ds) return ok();
    json body = {{"datasetReference", {{"projectId", o_.target.project}, {"datasetId", o_.target.dataset}}}};
    if (!o_.target.location.empty()) body["location"] = o_.target.location;
    auto made = rest_.call("POST", "/datasets", &body, "creating the dataset");
    if (made.ok()) return ok();
    PT_ASSIGN_OR_RETURN(auto again, rest_.call("GET", dataset_path(), nullptr, "looking up the dataset", true));
    return again ? ok() : Result<void>(made.error());  // lost a race with another creator: fine
  }

  // Creates DATASET.NAME from `resource` unless it exists; returns the table's resource.
  Result<json> ensure(const std::string& name, const json& resource) {
    const std::string path = dataset_path() + "/tables/" + name;
    PT_ASSIGN_OR_RETURN(auto found, rest_.call("GET", path, nullptr, "looking up table " + name, true));
    if (found) return std::move(*found);
    PT_TRY(ensure_dataset());
    auto made = rest_.call("POST", dataset_path() + "/tables", &resource, "creating table " + name);
    if (made.ok()) return std::move(**made);
    PT_ASSIGN_OR_RETURN(auto again, rest_.call("GET", path, nullptr, "looking up table " + name, true));
    if (!again) return made.error();
    return std::move(*again);
  }

  json table_resource(const std::string& name, json fields) const {
    return {{"tableReference", {{"projectId", o_.target.project}, {"datasetId", o_.target.dataset}, {"tableId", name}}},
            {"schema", {{"fields", std::move(fields)}}}};
  }

  Result<void> ensure_table(Table t) {
    const std::string name(table_name(t));
    json resource = table_resource(name, row_fields(t));
    resource["description"] =
        fmt::format("picktune {} (docs/formats.md#rows); payload holds the JSON text as imported", name);
    resource["timePartitioning"] = {{"type", "MONTH"}, {"field", "created_at"}};
    resource["clustering"] = {{"fields", {"user_id", "agent_step_id"}}};
    PT_ASSIGN_OR_RETURN(json table, ensure(name, resource));
    return check_schema(t, table);
  }

  // An existing table must have our columns; payload may be STRING (ours) or JSON (production).
  Result<void> check_schema(Table t, const json& table) {
    std::unordered_map<std::string, std::string> types;
    if (table.contains("schema") && table["schema"].contains("fields") && table["schema"]["fields"].is_array())
      for (const json& f : table["schema"]["fields"])
        if (f.contains("name") && f["name"].is_string() && f.contains("type") && f["type"].is_string())
          types[f["name"].get<std::string>()] = f["type"].get<std::string>();
    for (const json& want : row_fields(t)) {
      std::string name = want["name"], type = want["type"];
      auto it = types.find(name);
      bool fits =
          it != types.end() && (it->second == type || (type == "STRING" && name == "payload" && it->second == "JSON") ||
                                (type == "TIMESTAMP" && it->second == "TIMESTAMP"));
      if (!fits)
        return runtime_error(fmt::format("{}: table {} is not a picktune {} table: column {} ({}) is {}", describe(),
                                         table_name(t), table_name(t), name, type,
                                         it == types.end() ? "missing" : "of type " + it->second));
    }
    payload_json_[t == Table::traces ? 0 : 1] = types["payload"] == "JSON";
    return ok();
  }

  Result<void> ensure_stage(Table t) {
    bool& ready = stage_ready_[t == Table::traces ? 0 : 1];
    if (ready) return ok();
    json fields = row_fields(t);
    fields.insert(fields.begin(), field("batch_id", "STRING"));
    json resource = table_resource(stage_name(t), std::move(fields));
    resource["description"] = "picktune upsert staging: rows wait here for one MERGE; they expire after a day";
    resource["timePartitioning"] = {{"type", "DAY"}, {"expirationMs", "86400000"}};
    resource["clustering"] = {{"fields", {"batch_id"}}};
    auto made = ensure(stage_name(t), resource);
    if (!made.ok()) return made.error();
    ready = true;
    return ok();
  }

  static constexpr const char* kEvalRuns = "eval_runs";

  Result<std::vector<EvalRunRow>> eval_runs_where(const std::string& where, const std::vector<BqParam>& params) {
    std::vector<EvalRunRow> runs;
    if (!eval_runs_ready_) {
      PT_ASSIGN_OR_RETURN(auto found, rest_.call("GET", dataset_path() + "/tables/" + kEvalRuns, nullptr,
                                                 "looking up table eval_runs", true));
      if (!found) return runs;
      eval_runs_ready_ = true;
    }
    const std::string doing = "reading evaluation runs";
    PT_TRY(rest_.query(fmt::format("SELECT id, UNIX_MICROS(created_at) AS created_us, body FROM {}{} ORDER BY "
                                   "created_at ASC, id ASC",
                                   ref(kEvalRuns), where),
                       params, doing, [&](BigQueryRest::Cells&& c, int64_t index) -> Result<bool> {
                         if (c.size() != 3 || !c[0] || !c[1] || !c[2])
                           return malformed(index, doing, "", "expected id, created_at and body");
                         EvalRunRow run{std::move(*c[0]), 0, std::move(*c[2])};
                         auto [p, ec] = std::from_chars(c[1]->data(), c[1]->data() + c[1]->size(), run.created_at_us);
                         if (ec != std::errc()) return malformed(index, doing, run.id, "created_at is not a number");
                         runs.push_back(std::move(run));
                         return true;
                       }));
    return runs;
  }

  Result<void> stage(Table t, const std::string& batch, const std::vector<const Row*>& rows);
  Result<void> wait_until_visible(Table t, const std::string& batch, int64_t expected);
  Result<BqDmlStats> merge(Table t, const std::string& batch);

  BigQueryStoreOptions o_;
  BigQueryRest rest_;
  PayloadKeyReader keys_reader_;
  PayloadKeys keys_;
  bool payload_json_[2] = {false, false};
  bool stage_ready_[2] = {false, false};
  bool eval_runs_ready_ = false;
};

// Streaming inserts cannot update, so a batch is staged with tabledata.insertAll into
// DATASET.picktune_stage_TABLE (insertId = batch id + row id: a retried request is deduplicated,
// a later batch re-sending the same id is not; staged rows expire after a day), then applied by
// ONE MERGE: every row of the batch lands or none does. MERGE's dmlStats give inserted/updated,
// the rest were unchanged; ids repeated inside a batch are replayed in order against the stored
// row, as SQLite counts them. Rows never enter the real tables by streaming, so later MERGEs can
// always update them (BigQuery forbids DML over its streaming buffer).
Result<UpsertStats> BigQueryStore::upsert(Table table, std::span<const Row> rows) {
  UpsertStats stats;
  if (rows.empty()) return stats;
  // Validate everything before writing anything.
  std::unordered_map<std::string, std::vector<size_t>> where;  // id -> its positions in the batch
  std::vector<const Row*> unique;                              // last version of each id, first-seen order
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.id.empty()) return runtime_error(fmt::format("{}: a row has an empty id", describe()));
    if (!keys_reader_.read(row.payload, keys_).ok())
      return runtime_error(fmt::format("{}: row {}: payload is not a JSON object", describe(), row.id));
    auto& at = where[row.id];
    if (at.empty()) unique.push_back(&row);
    at.push_back(i);
  }
  for (const Row*& r : unique) r = &rows[where[r->id].back()];
  // Ids repeated in the batch: their stored versions, to replay the repeats in order.
  std::vector<std::string> repeated;
  for (const auto& [id, at] : where)
    if (at.size() > 1) repeated.push_back(id);
  std::unordered_map<std::string, Row> before;
  if (!repeated.empty()) {
    PT_ASSIGN_OR_RETURN(auto existing, rows_by_ids(table, repeated));
    for (Row& r : existing) before.emplace(r.id, std::move(r));
  }
  PT_TRY(ensure_stage(table));
  const std::string batch = bq_random_hex(12);
  PT_TRY(stage(table, batch, unique));
  PT_TRY(wait_until_visible(table, batch, static_cast<int64_t>(unique.size())));
  PT_ASSIGN_OR_RETURN(BqDmlStats m, merge(table, batch));
  stats.inserted = m.inserted;
  stats.updated = m.updated;
  stats.unchanged = static_cast<int64_t>(unique.size()) - m.inserted - m.updated;
  for (const std::string& id : repeated) {
    auto it = before.find(id);
    const Row* stored = it == before.end() ? nullptr : &it->second;
    const auto& at = where[id];
    tally(stats, outcome(rows[at.back()], stored, table), -1);  // what MERGE counted for this id
    const Row* prev = stored;
    for (size_t i : at) {
      tally(stats, outcome(rows[i], prev, table), +1);
      prev = &rows[i];
    }
  }
  return stats;
}

Result<void> BigQueryStore::stage(Table t, const std::string& batch, const std::vector<const Row*>& rows) {
  const std::string kind(kind_column(t));
  json chunk = json::array();
  std::vector<std::string> names;
  size_t bytes = 0;
  auto flush = [&]() -> Result<void> {
    if (chunk.empty()) return ok();
    const std::string doing = "staging " + std::string(table_name(t));
    PT_ASSIGN_OR_RETURN(bool found, rest_.insert_all(o_.target.dataset, stage_name(t), chunk, names, doing));
    if (!found) {  // the staging table vanished (deleted by hand): make it again, once
      stage_ready_[t == Table::traces ? 0 : 1] = false;
      PT_TRY(ensure_stage(t));
      PT_ASSIGN_OR_RETURN(found, rest_.insert_all(o_.target.dataset, stage_name(t), chunk, names, doing));
      if (!found)
        return runtime_error(fmt::format("{}: {}: staging table {} not found", describe(), doing, stage_name(t)));
    }
    chunk = json::array();
    names.clear();
    bytes = 0;
    return ok();
  };
  for (const Row* r : rows) {
    json values = {{"batch_id", batch},
                   {"id", r->id},
                   {"agent_step_id", r->agent_step_id},
                   {"user_id", r->user_id},
                   {"created_at", bq_timestamp_text(r->created_at_us)},
                   {kind, t == Table::traces ? r->type : r->model},
                   {"payload", r->payload}};
    chunk.push_back({{"insertId", batch + ":" + r->id}, {"json", std::move(values)}});
    names.push_back(r->id);
    bytes += r->payload.size() + r->id.size() + 256;
    if (chunk.size() >= o_.insert_rows || bytes >= o_.insert_bytes) PT_TRY(flush());
  }
  return flush();
}

// Streamed rows are normally queryable at once; wait (briefly) if BigQuery lags, never MERGE a
// partial batch.
Result<void> BigQueryStore::wait_until_visible(Table t, const std::string& batch, int64_t expected) {
  const std::string sql =
      fmt::format("SELECT COUNT(DISTINCT id) AS n FROM {} WHERE batch_id = @batch", ref(stage_name(t)));
  for (int attempt = 1;; ++attempt) {
    PT_ASSIGN_OR_RETURN(int64_t n, count_query(sql, {BqParam::string("batch", batch)},
                                               "checking staged " + std::string(table_name(t))));
    if (n == expected) return ok();
    if (attempt >= 8)
      return runtime_error(fmt::format(
          "{}: staging {}: only {} of {} staged rows became visible; nothing was written, re-run the import",
          describe(), table_name(t), n, expected));
    int64_t wait = 250LL << std::min(attempt - 1, 4);
    if (o_.sleep_ms)
      o_.sleep_ms(wait);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

Result<BqDmlStats> BigQueryStore::merge(Table t, const std::string& batch) {
  const std::string k(kind_column(t));
  const bool js = payload_json_[t == Table::traces ? 0 : 1];
  const std::string payload_in = js ? "PARSE_JSON(S.payload)" : "S.payload";
  const std::string payload_same =
      js ? "TO_JSON_STRING(T.payload) IS NOT DISTINCT FROM TO_JSON_STRING(PARSE_JSON(S.payload))"
         : "T.payload IS NOT DISTINCT FROM S.payload";
  std::string sql = fmt::format(
      "MERGE {0} T USING (SELECT * EXCEPT(batch_id) FROM {1} WHERE batch_id = @batch "
      "QUALIFY ROW_NUMBER() OVER (PARTITION BY id) = 1) S ON T.id = S.id "
      "WHEN MATCHED AND NOT (T.agent_step_id IS NOT DISTINCT FROM S.agent_step_id AND T.user_id IS NOT DISTINCT FROM "
      "S.user_id "
      "AND T.created_at IS NOT DISTINCT FROM S.created_at AND T.{2} IS NOT DISTINCT FROM S.{2} AND {3}) "
      "THEN UPDATE SET agent_step_id = S.agent_step_id, user_id = S.user_id, created_at = S.created_at, {2} = S.{2}, "
      "payload = {4} "
      "WHEN NOT MATCHED THEN INSERT (id, agent_step_id, user_id, created_at, {2}, payload) "
      "VALUES (S.id, S.agent_step_id, S.user_id, S.created_at, S.{2}, {4})",
      ref(table_name(t)), ref(stage_name(t)), k, payload_same, payload_in);
  auto r = rest_.query(sql, {BqParam::string("batch", batch)}, "writing " + std::string(table_name(t)));
  if (!r.ok()) return hinted(r.error());
  return *r;
}

bool valid_name(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 1024) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && extra.find(c) == std::string_view::npos)
      return false;
  return true;
}

}  // namespace

std::string bigquery_prod_dataset(const std::string& dev) {
  if (dev.size() > 4 && dev.compare(dev.size() - 4, 4, "_dev") == 0) return dev.substr(0, dev.size() - 4) + "_prod";
  return dev + "_prod";
}

Result<BigQueryTarget> parse_bigquery_uri(const std::string& uri, bool prod) {
  const std::string scheme = "bigquery://";
  const std::string example = "expected bigquery://PROJECT/DATASET[?location=L&prod_dataset=NAME]";
  if (uri.rfind(scheme, 0) != 0) return usage_error(fmt::format("--store {}: {}", uri, example));
  std::string rest = uri.substr(scheme.size()), query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  size_t slash = rest.find('/');
  BigQueryTarget t;
  if (slash == std::string::npos) return usage_error(fmt::format("--store {}: no dataset; {}", uri, example));
  t.project = rest.substr(0, slash);
  t.dataset = rest.substr(slash + 1);
  if (!t.dataset.empty() && t.dataset.back() == '/') t.dataset.pop_back();
  if (!valid_name(t.project, "-.:"))
    return usage_error(fmt::format("--store {}: bad project id \"{}\"; {}", uri, t.project, example));
  if (!valid_name(t.dataset, ""))
    return usage_error(fmt::format("--store {}: bad dataset name \"{}\" (letters, digits, _)", uri, t.dataset));
  std::string prod_dataset;
  for (size_t at = 0; at < query.size();) {
    size_t amp = query.find('&', at);
    std::string kv = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    at = amp == std::string::npos ? query.size() : amp + 1;
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (key == "location" && valid_name(value, "-"))
      t.location = value;
    else if (key == "prod_dataset" && valid_name(value, ""))
      prod_dataset = value;
    else
      return usage_error(fmt::format("--store {}: bad option \"{}\" ({})", uri, kv, example));
  }
  if (prod) t.dataset = prod_dataset.empty() ? bigquery_prod_dataset(t.dataset) : prod_dataset;
  return t;
}

Result<std::unique_ptr<Store>> open_bigquery_store(BigQueryStoreOptions options) {
  if (options.base_url.empty()) {
    const char* env = std::getenv("BIGQUERY_BASE_URL");
    options.base_url = env && *env ? env : "https://bigquery.googleapis.com";
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  const std::string name = fmt::format("bigquery://{}/{}", options.target.project, options.target.dataset);
  if (!options.auth) {
    auto auth = GcpAuth::shared_from_env();
    if (!auth.ok()) return runtime_error(fmt::format("{}: {}", name, auth.error().message));
    options.auth = *auth;
  }
  BigQueryRestOptions ro;
  ro.base_url = options.base_url;
  ro.project = options.target.project;
  ro.location = options.target.location;
  ro.store_name = name;
  ro.auth = options.auth;
  ro.retry = options.retry;
  ro.sleep_ms = options.sleep_ms;
  ro.page_rows = std::max<int64_t>(1, options.page_rows);
  auto store = std::make_unique<BigQueryStore>(options, BigQueryRest(std::move(ro)));
  PT_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_bigquery_store(const std::string& uri, bool prod) {
  PT_ASSIGN_OR_RETURN(BigQueryTarget target, parse_bigquery_uri(uri, prod));
  BigQueryStoreOptions o;
  o.target = std::move(target);
  return open_bigquery_store(std::move(o));
}

}  // namespace pt
