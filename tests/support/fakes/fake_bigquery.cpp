// Implementation of fakes/fake_bigquery.h on cpp-httplib (127.0.0.1, random port). Wire shapes
// follow BigQuery v2: error bodies {"error": {code, message, errors: [{reason, message}], status}},
// result rows {"f": [{"v": "text" | null}]}, counts as strings, page tokens opaque.
#include "support/fakes/fake_bigquery.h"

#include <httplib.h>

#include <chrono>

#include "util/time.h"

namespace pt::fake {
namespace {

using bq::Value;
using nlohmann::json;

constexpr const char* kBase = "/bigquery/v2/projects/([^/]+)";

const char* status_text(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ALREADY_EXISTS";
    case 429: return "RESOURCE_EXHAUSTED";
    default: return status >= 500 ? "INTERNAL" : "UNKNOWN";
  }
}

// BigQuery's own content type; also keeps cpp-httplib from brotli-compressing every answer (it
// only compresses an exact "application/json"), which costs far more CPU than the fake itself.
void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=UTF-8");
}

void reply_error(httplib::Response& res, int status, const std::string& reason, const std::string& message) {
  reply(res, status,
        {{"error",
          {{"code", status},
           {"message", message},
           {"errors", {{{"message", message}, {"domain", "global"}, {"reason", reason}}}},
           {"status", status_text(status)}}}});
}

json cell(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return nullptr;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return std::get<bool>(v) ? "true" : "false";
}

// A query parameter from its REST form; throws SqlError when malformed.
bq::Param param_of(const json& p) {
  auto bad = [&](const std::string& why) { throw bq::SqlError{400, "invalid", "Invalid query parameter: " + why}; };
  if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || p["name"].get<std::string>().empty())
    bad("named parameters need a name");
  if (!p.contains("parameterType") || !p["parameterType"].contains("type")) bad("parameterType.type is required");
  bq::Param out;
  out.type = p["parameterType"]["type"].get<std::string>();
  const json& pv = p.contains("parameterValue") ? p["parameterValue"] : json::object();
  auto scalar = [&](const std::string& type, const json& v) -> Value {
    if (v.is_null() || !v.contains("value")) return {};
    if (!v["value"].is_string()) bad("parameterValue.value must be a string");
    std::string text = v["value"].get<std::string>();
    if (type == "STRING") return text;
    if (type == "BOOL") return text == "true";
    if (type == "INT64") {
      try {
        size_t used = 0;
        int64_t n = std::stoll(text, &used);
        if (used != text.size()) bad("not an INT64: " + text);
        return n;
      } catch (const std::logic_error&) {
        bad("not an INT64: " + text);
      }
    }
    if (type == "TIMESTAMP") {
      auto t = parse_timestamp(text);
      if (!t.ok()) bad("not a TIMESTAMP: " + text);
      return *t;
    }
    bad("unsupported parameter type " + type);
    return {};
  };
  if (out.type == "ARRAY") {
    std::string elem =
        p["parameterType"].contains("arrayType") ? p["parameterType"]["arrayType"].value("type", "") : "";
    if (pv.contains("arrayValues"))
      for (const json& v : pv["arrayValues"]) out.values.push_back(scalar(elem, v));
  } else {
    out.value = scalar(out.type, pv);
  }
  return out;
}

// A cell of an insertAll row for `column`; "" when fine, else why it is invalid.
std::string to_value(const bq::Column& c, const json& v, Value& out) {
  if (v.is_null()) return c.mode == "REQUIRED" ? "Missing required field: " + c.name + "." : "";
  if (c.type == "STRING") {
    if (!v.is_string()) return "Cannot convert value to string.";
    out = v.get<std::string>();
  } else if (c.type == "JSON") {
    out = bq::normalize_json(v.is_string() ? v.get<std::string>() : v.dump());
  } else if (c.type == "TIMESTAMP") {
    if (!v.is_string()) return "Cannot convert value to timestamp.";
    auto t = parse_timestamp(v.get<std::string>());
    if (!t.ok()) return "Invalid timestamp: '" + v.get<std::string>() + "'";
    out = *t;
  } else if (c.type == "INT64" || c.type == "INTEGER") {
    if (!v.is_number_integer()) return "Cannot convert value to integer.";
    out = v.get<int64_t>();
  } else if (c.type == "BOOL" || c.type == "BOOLEAN") {
    if (!v.is_boolean()) return "Cannot convert value to boolean.";
    out = v.get<bool>();
  } else {
    return "Unsupported column type " + c.type;
  }
  return "";
}

}  // namespace

FakeBigQuery::FakeBigQuery(FakeBigQueryConfig config)
    : config_(std::move(config)), server_(std::make_unique<httplib::Server>()) {
  routes();
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeBigQuery::~FakeBigQuery() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeBigQuery::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeBigQuery::fail(FakeBqFault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
}

void FakeBigQuery::corrupt_next_result_row(int64_t index) {
  std::lock_guard lock(mu_);
  corrupt_row_ = index;
}

void FakeBigQuery::reject_insert_row(const std::string& id) {
  std::lock_guard lock(mu_);
  reject_ids_.insert(id);
}

bq::Table* FakeBigQuery::find(const std::string& full_name) {
  auto it = tables_.find(full_name);
  return it == tables_.end() ? nullptr : &it->second;
}

// Answers the first matching planned fault (before or after the real work); true when it did.
// Call with mu_ held.
bool FakeBigQuery::planned_fault(const std::string& op, const httplib::Request& req, httplib::Response& res,
                                 bool after) {
  std::string auth = req.get_header_value("Authorization");
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((it->op != "*" && it->op != op) || it->after_processing != after) continue;
    if (!it->body_contains.empty() && req.body.find(it->body_contains) == std::string::npos) continue;
    std::string message = it->message;
    std::string bearer = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
    for (size_t at = message.find("{token}"); at != std::string::npos; at = message.find("{token}"))
      message.replace(at, 7, bearer);
    if (!it->retry_after.empty()) res.set_header("Retry-After", it->retry_after);
    reply_error(res, it->status, it->reason, message);
    if (--it->times <= 0) faults_.erase(it);
    return true;
  }
  return false;
}

// Counts the request, answers a planned fault or a missing/wrong bearer token; true = go on.
bool FakeBigQuery::guard(const std::string& op, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  ++counts_[op];
  if (planned_fault(op, req, res, false)) return false;
  if (op != "token" && req.get_header_value("Authorization") != "Bearer " + config_.access_token) {
    reply_error(res, 401, "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.");
    return false;
  }
  return true;
}

void FakeBigQuery::routes() {
  using Req = httplib::Request;
  using Res = httplib::Response;
  const std::string base = kBase;
  server_->Post("/token", [this](const Req& req, Res& res) {
    if (!guard("token", req, res)) return;
    if (req.body.find("assertion=") == std::string::npos) return reply(res, 400, {{"error", "invalid_grant"}});
    reply(res, 200, {{"access_token", config_.access_token}, {"expires_in", 3600}, {"token_type", "Bearer"}});
  });
  server_->Get(base + "/datasets/([^/]+)", [this](const Req& req, Res& res) {
    if (!guard("datasets.get", req, res)) return;
    std::string p = req.matches[1], d = req.matches[2];
    std::lock_guard lock(mu_);
    if (!datasets_.count(p + "." + d)) return reply_error(res, 404, "notFound", "Not found: Dataset " + p + ":" + d);
    reply(res, 200,
          {{"kind", "bigquery#dataset"},
           {"id", p + ":" + d},
           {"datasetReference", {{"projectId", p}, {"datasetId", d}}},
           {"location", "US"}});
  });
  server_->Post(base + "/datasets", [this](const Req& req, Res& res) {
    if (!guard("datasets.insert", req, res)) return;
    std::string p = req.matches[1];
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.contains("datasetReference") || !body["datasetReference"].contains("datasetId"))
      return reply_error(res, 400, "invalid", "datasetReference.datasetId is required");
    std::string d = body["datasetReference"]["datasetId"];
    std::lock_guard lock(mu_);
    if (!datasets_.insert(p + "." + d).second)
      return reply_error(res, 409, "duplicate", "Already Exists: Dataset " + p + ":" + d);
    reply(res, 200,
          {{"kind", "bigquery#dataset"},
           {"id", p + ":" + d},
           {"datasetReference", {{"projectId", p}, {"datasetId", d}}},
           {"location", "US"}});
  });
  server_->Get(base + "/datasets/([^/]+)/tables/([^/]+)", [this](const Req& req, Res& res) {
    if (!guard("tables.get", req, res)) return;
    std::string name =
        std::string(req.matches[1]) + "." + std::string(req.matches[2]) + "." + std::string(req.matches[3]);
    std::lock_guard lock(mu_);
    bq::Table* t = find(name);
    if (!t) return reply_error(res, 404, "notFound", "Not found: Table " + name);
    json r = t->resource;
    r["numRows"] = std::to_string(t->rows.size());
    reply(res, 200, r);
  });
  server_->Delete(base + "/datasets/([^/]+)/tables/([^/]+)", [this](const Req& req, Res& res) {
    if (!guard("tables.delete", req, res)) return;
    std::string name =
        std::string(req.matches[1]) + "." + std::string(req.matches[2]) + "." + std::string(req.matches[3]);
    std::lock_guard lock(mu_);
    if (!tables_.erase(name)) return reply_error(res, 404, "notFound", "Not found: Table " + name);
    res.status = 204;
  });
  server_->Post(base + "/datasets/([^/]+)/tables", [this](const Req& req, Res& res) {
    if (!guard("tables.insert", req, res)) return;
    json body = json::parse(req.body, nullptr, false);
    std::lock_guard lock(mu_);
    insert_table(req.matches[1], req.matches[2], body, res);
  });
  server_->Post(base + "/datasets/([^/]+)/tables/([^/]+)/insertAll", [this](const Req& req, Res& res) {
    if (!guard("insertAll", req, res)) return;
    insert_all(std::string(req.matches[1]) + "." + std::string(req.matches[2]) + "." + std::string(req.matches[3]), req,
               res);
    std::lock_guard lock(mu_);
    planned_fault("insertAll", req, res, true);
  });
  server_->Post(base + "/queries", [this](const Req& req, Res& res) {
    if (!guard("query", req, res)) return;
    query(req.matches[1], req, res);
    std::lock_guard lock(mu_);
    planned_fault("query", req, res, true);
  });
  server_->Get(base + "/queries/([^/]+)", [this](const Req& req, Res& res) {
    if (!guard("getQueryResults", req, res)) return;
    results(req.matches[1], req.matches[2], req, res);
  });
  server_->Get(base + "/jobs/([^/]+)", [this](const Req& req, Res& res) {
    if (!guard("jobs.get", req, res)) return;
    std::string p = req.matches[1], id = req.matches[2];
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return reply_error(res, 404, "notFound", "Not found: Job " + p + ":US." + id);
    const bq::QueryResult& r = it->second.result;
    json stats = {{"statementType", r.dml ? "MERGE" : "SELECT"}};
    if (r.dml)
      stats["dmlStats"] = {{"insertedRowCount", std::to_string(r.inserted)},
                           {"updatedRowCount", std::to_string(r.updated)},
                           {"deletedRowCount", "0"}};
    reply(res, 200,
          {{"kind", "bigquery#job"},
           {"jobReference", {{"projectId", p}, {"jobId", id}, {"location", "US"}}},
           {"status", {{"state", "DONE"}}},
           {"statistics", {{"query", stats}}}});
  });
}

void FakeBigQuery::insert_table(const std::string& p, const std::string& d, const json& body, httplib::Response& res) {
  if (body.is_discarded() || !body.contains("tableReference") || !body["tableReference"].contains("tableId") ||
      !body.contains("schema") || !body["schema"].contains("fields") || !body["schema"]["fields"].is_array())
    return reply_error(res, 400, "invalid", "tableReference.tableId and schema.fields are required");
  if (!datasets_.count(p + "." + d)) return reply_error(res, 404, "notFound", "Not found: Dataset " + p + ":" + d);
  std::string id = body["tableReference"]["tableId"];
  std::string name = p + "." + d + "." + id;
  if (tables_.count(name)) return reply_error(res, 409, "duplicate", "Already Exists: Table " + p + ":" + d + "." + id);
  bq::Table t;
  for (const json& f : body["schema"]["fields"]) {
    if (!f.contains("name") || !f.contains("type"))
      return reply_error(res, 400, "invalid", "every field needs a name and a type");
    t.schema.push_back({f["name"], f["type"], f.value("mode", "NULLABLE")});
  }
  if (body.contains("timePartitioning") && body["timePartitioning"].contains("field")) {
    int c = t.column(body["timePartitioning"]["field"]);
    if (c < 0 || t.schema[static_cast<size_t>(c)].type != "TIMESTAMP")
      return reply_error(res, 400, "invalid",
                         "The field specified for partitioning must be a top-level TIMESTAMP/DATE field");
  }
  if (body.contains("clustering"))
    for (const json& f : body["clustering"]["fields"])
      if (t.column(f.get<std::string>()) < 0)
        return reply_error(res, 400, "invalid", "The field specified for clustering cannot be found");
  t.resource = body;
  t.resource["kind"] = "bigquery#table";
  t.resource["id"] = p + ":" + d + "." + id;
  t.resource["type"] = "TABLE";
  t.resource["location"] = "US";
  reply(res, 200, t.resource);
  tables_[name] = std::move(t);
}

void FakeBigQuery::insert_all(const std::string& name, const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  std::lock_guard lock(mu_);
  bq::Table* t = find(name);
  if (!t) return reply_error(res, 404, "notFound", "Not found: Table " + name);
  if (body.is_discarded() || !body.contains("rows") || !body["rows"].is_array())
    return reply_error(res, 400, "invalid", "rows is required");
  std::vector<bq::StoredRow> rows;
  std::vector<std::string> ids;
  json errors = json::array();
  for (size_t i = 0; i < body["rows"].size(); ++i) {
    const json& r = body["rows"][i];
    const json& values = r.contains("json") ? r["json"] : json();
    std::string why, where;
    if (!values.is_object()) why = "Row is not a JSON object.";
    if (values.is_object())
      for (const auto& [key, v] : values.items())
        if (why.empty() && t->column(key) < 0) why = "no such field: " + key + ".", where = key;
    bq::StoredRow row{std::vector<Value>(t->schema.size()), true};
    for (size_t c = 0; why.empty() && c < t->schema.size(); ++c) {
      const bq::Column& col = t->schema[c];
      why = to_value(col, values.contains(col.name) ? values[col.name] : json(), row.values[c]);
      if (!why.empty()) where = col.name;
    }
    if (why.empty() && values.contains("id") && values["id"].is_string() && reject_ids_.count(values["id"]))
      why = "Row failed validation (fault injected).", where = "payload";
    if (!why.empty())
      errors.push_back({{"index", i}, {"errors", {{{"reason", "invalid"}, {"location", where}, {"message", why}}}}});
    rows.push_back(std::move(row));
    ids.push_back(r.contains("insertId") && r["insertId"].is_string() ? r["insertId"].get<std::string>() : "");
  }
  if (!errors.empty()) {  // skipInvalidRows=false: the whole request is refused, the others "stopped"
    json all = json::array();
    std::set<size_t> bad;
    for (const json& e : errors) bad.insert(e["index"].get<size_t>());
    for (size_t i = 0; i < rows.size(); ++i)
      if (!bad.count(i))
        all.push_back({{"index", i}, {"errors", {{{"reason", "stopped"}, {"location", ""}, {"message", ""}}}}});
    for (const json& e : errors) all.push_back(e);
    return reply(res, 200, {{"kind", "bigquery#tableDataInsertAllResponse"}, {"insertErrors", all}});
  }
  auto& seen = insert_ids_[name];
  for (size_t i = 0; i < rows.size(); ++i)
    if (ids[i].empty() || seen.insert(ids[i]).second) t->rows.push_back(std::move(rows[i]));
  reply(res, 200, {{"kind", "bigquery#tableDataInsertAllResponse"}});
}

void FakeBigQuery::query(const std::string& project, const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.contains("query") || !body["query"].is_string())
    return reply_error(res, 400, "invalid", "query is required");
  std::lock_guard lock(mu_);
  queries_.push_back(body["query"]);
  query_bodies_.push_back(body);
  result_rows_.push_back(-1);
  const size_t query_index = result_rows_.size() - 1;
  std::string request_id = body.value("requestId", "");
  int64_t max_rows =
      body.contains("maxResults") && body["maxResults"].is_number_integer() ? body["maxResults"].get<int64_t>() : 0;
  auto answer = [&](Job& job) {
    if (job.polls_left > 0) {
      --job.polls_left;
      return reply(res, 200,
                   {{"kind", "bigquery#queryResponse"},
                    {"jobComplete", false},
                    {"jobReference", {{"projectId", project}, {"jobId", job.id}, {"location", "US"}}}});
    }
    json page = page_of(job, 0, max_rows);
    if (job.result.dml)
      page["dmlStats"] = {{"insertedRowCount", std::to_string(job.result.inserted)},
                          {"updatedRowCount", std::to_string(job.result.updated)},
                          {"deletedRowCount", "0"}};
    reply(res, 200, page);
  };
  if (!request_id.empty() && request_ids_.count(request_id)) return answer(jobs_[request_ids_[request_id]]);
  if (!body.contains("useLegacySql") || body["useLegacySql"] != false)
    return reply_error(res, 400, "invalidQuery", "The fake speaks GoogleSQL only: set useLegacySql=false");
  std::map<std::string, bq::Param> params;
  try {
    if (body.contains("queryParameters") && !body["queryParameters"].empty()) {
      if (body.value("parameterMode", "") != "NAMED")
        return reply_error(res, 400, "invalid", "parameterMode must be NAMED here");
      for (const json& p : body["queryParameters"]) params[p.value("name", "")] = param_of(p);
    }
    Job job{"job_" + std::to_string(next_job_++),
            bq::run_sql(body["query"], params, [this](const std::string& n) { return find(n); }),
            config_.incomplete_polls};
    if (corrupt_row_ && !job.result.dml && static_cast<size_t>(*corrupt_row_) < job.result.rows.size()) {
      auto& row = job.result.rows[static_cast<size_t>(*corrupt_row_)];
      bool done = false;
      for (size_t c = 0; c < row.size() && !done; ++c)
        if (job.result.schema[c].type == "INT64") row[c] = std::string("12x-not-a-number"), done = true;
      if (!done && !row.empty()) row.pop_back();
      corrupt_row_.reset();
    }
    if (!job.result.dml) result_rows_[query_index] = static_cast<int64_t>(job.result.rows.size());
    if (!request_id.empty()) request_ids_[request_id] = job.id;
    Job& stored = jobs_[job.id] = std::move(job);
    answer(stored);
  } catch (const bq::SqlError& e) {
    reply_error(res, e.status, e.reason, e.message);
  }
}

void FakeBigQuery::results(const std::string& project, const std::string& job_id, const httplib::Request& req,
                           httplib::Response& res) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return reply_error(res, 404, "notFound", "Not found: Job " + project + ":US." + job_id);
  Job& job = it->second;
  if (job.polls_left > 0) {
    --job.polls_left;
    return reply(res, 200,
                 {{"kind", "bigquery#getQueryResultsResponse"},
                  {"jobComplete", false},
                  {"jobReference", {{"projectId", project}, {"jobId", job.id}, {"location", "US"}}}});
  }
  size_t offset = 0;
  std::string token = req.get_param_value("pageToken");
  if (!token.empty()) {
    if (token.rfind("tok/", 0) != 0 || token.size() < 7 || token.substr(token.size() - 2) != "+=")
      return reply_error(res, 400, "invalid", "Invalid page token");
    offset = std::stoull(token.substr(4, token.size() - 6));
  }
  int64_t max_rows = req.has_param("maxResults") ? std::stoll(req.get_param_value("maxResults")) : 0;
  json page = page_of(job, offset, max_rows);
  page["kind"] = "bigquery#getQueryResultsResponse";
  reply(res, 200, page);
}

json FakeBigQuery::page_of(const Job& job, size_t offset, int64_t max_rows) const {
  const bq::QueryResult& r = job.result;
  json page = {{"kind", "bigquery#queryResponse"},
               {"jobComplete", true},
               {"jobReference", {{"projectId", "p"}, {"jobId", job.id}, {"location", "US"}}}};
  if (r.dml) {
    page["numDmlAffectedRows"] = std::to_string(r.inserted + r.updated);
    return page;
  }
  json fields = json::array();
  for (const bq::Column& c : r.schema) fields.push_back({{"name", c.name}, {"type", c.type}, {"mode", c.mode}});
  page["schema"] = {{"fields", fields}};
  page["totalRows"] = std::to_string(r.rows.size());
  size_t n = r.rows.size() - std::min(offset, r.rows.size());
  if (max_rows > 0) n = std::min(n, static_cast<size_t>(max_rows));
  if (config_.max_page_rows > 0) n = std::min(n, static_cast<size_t>(config_.max_page_rows));
  json rows = json::array();
  for (size_t i = offset; i < offset + n; ++i) {
    json f = json::array();
    for (const Value& v : r.rows[i]) f.push_back({{"v", cell(v)}});
    rows.push_back({{"f", f}});
  }
  if (n > 0) page["rows"] = rows;
  if (offset + n < r.rows.size()) page["pageToken"] = "tok/" + std::to_string(offset + n) + "+=";
  return page;
}

void FakeBigQuery::create_table(const std::string& project, const std::string& dataset, const json& resource) {
  std::lock_guard lock(mu_);
  datasets_.insert(project + "." + dataset);
  httplib::Response res;
  insert_table(project, dataset, resource, res);
}

void FakeBigQuery::drop_table(const std::string& project, const std::string& dataset, const std::string& table) {
  std::lock_guard lock(mu_);
  tables_.erase(project + "." + dataset + "." + table);
}

int FakeBigQuery::requests(const std::string& op) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(op);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<std::string> FakeBigQuery::queries() const {
  std::lock_guard lock(mu_);
  return queries_;
}

std::vector<json> FakeBigQuery::query_bodies() const {
  std::lock_guard lock(mu_);
  return query_bodies_;
}

std::vector<int64_t> FakeBigQuery::result_rows() const {
  std::lock_guard lock(mu_);
  return result_rows_;
}

std::optional<json> FakeBigQuery::table(const std::string& project, const std::string& dataset,
                                        const std::string& table) const {
  std::lock_guard lock(mu_);
  auto it = tables_.find(project + "." + dataset + "." + table);
  if (it == tables_.end()) return std::nullopt;
  return it->second.resource;
}

int64_t FakeBigQuery::row_count(const std::string& project, const std::string& dataset,
                                const std::string& table) const {
  std::lock_guard lock(mu_);
  auto it = tables_.find(project + "." + dataset + "." + table);
  return it == tables_.end() ? -1 : static_cast<int64_t>(it->second.rows.size());
}

bool FakeBigQuery::dataset_exists(const std::string& project, const std::string& dataset) const {
  std::lock_guard lock(mu_);
  return datasets_.count(project + "." + dataset) > 0;
}

}  // namespace pt::fake
