// Implementation of store/bigquery/bigquery_rest.h over net/http (blocking calls) and net/gcp_auth (the
// shared, cached service-account token). Retries follow net/retry's backoff; BigQuery's own
// retryable reasons (403 rateLimitExceeded/backendError) are added to the HTTP-status rules.
#include "store/bigquery/bigquery_rest.h"

#include <random>
#include <thread>

#include <fmt/format.h>

#include "net/gcp_auth.h"
#include "net/http.h"
#include "util/time.h"

namespace pt {
namespace {

using nlohmann::json;

// BigQuery's error reason and message from an error body ({"error": {"errors": [{"reason"}], "message"}}).
std::pair<std::string, std::string> error_of(const json& doc) {
  std::string reason, message;
  if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return {reason, message};
  const json& e = doc["error"];
  if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty() && e["errors"][0].is_object()) {
    const json& first = e["errors"][0];
    if (first.contains("reason") && first["reason"].is_string()) reason = first["reason"].get<std::string>();
    if (message.empty() && first.contains("message") && first["message"].is_string())
      message = first["message"].get<std::string>();
  }
  if (reason.empty() && e.contains("status") && e["status"].is_string()) reason = e["status"].get<std::string>();
  if (message.size() > 400) message = message.substr(0, 400) + "…";
  return {reason, message};
}

FailureKind failure_kind(const HttpResponse& r, const json& doc, bool parsed) {
  if (r.status == 403) {
    std::string reason = error_of(doc).first;
    return reason == "rateLimitExceeded" || reason == "backendError" ? FailureKind::rate_limited : FailureKind::client;
  }
  if (r.status == 409) return FailureKind::client;  // "duplicate": the caller decides
  return classify(r, !parsed);
}

std::string str_field(const json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
}

int64_t as_int(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (...) {
    }
  }
  return 0;
}

bool has_more_pages(const json& page) {
  return page.contains("pageToken") && page["pageToken"].is_string() && !page["pageToken"].get<std::string>().empty();
}

}  // namespace

BqParam BqParam::timestamp(std::string name, int64_t micros) {
  return {std::move(name), "TIMESTAMP", bq_timestamp_text(micros), {}};
}

std::string bq_random_hex(size_t bytes) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (size_t i = 0; i < bytes; ++i) out += fmt::format("{:02x}", static_cast<unsigned>(rng() & 0xff));
  return out;
}

std::string bq_timestamp_text(int64_t micros) {
  std::string t = format_rfc3339(micros);  // YYYY-MM-DDTHH:MM:SS[.fff[fff]]Z
  if (t.size() > 10 && t[10] == 'T') t[10] = ' ';
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  return t + " UTC";
}

BigQueryRest::BigQueryRest(BigQueryRestOptions options) : options_(std::move(options)) {}

std::string BigQueryRest::redact(std::string text) const {
  return options_.auth ? options_.auth->redact(std::move(text)) : text;
}

Result<std::optional<json>> BigQueryRest::call(const std::string& method, const std::string& path, const json* body,
                                               const std::string& doing, bool missing_ok) {
  HttpRequest req;
  req.method = method;
  req.url = options_.base_url + "/bigquery/v2/projects/" + url_encode(options_.project) + path;
  if (body) {
    try {
      req.body = body->dump();
    } catch (const json::exception&) {  // a string that is not UTF-8 (JSON cannot carry it)
      return runtime_error(fmt::format("{}: {}: a value is not valid UTF-8 text", options_.store_name, doing));
    }
  }
  req.timeout_ms = 120000;
  std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    auto token = options_.auth->access_token();
    if (!token.ok()) return runtime_error(fmt::format("{}: {}: {}", options_.store_name, doing, token.error().message));
    req.headers = {{"authorization", "Bearer " + *token}, {"content-type", "application/json"}};
    HttpResponse r = http_call(req);
    json doc = json::parse(r.body, nullptr, false);
    const bool parsed = !doc.is_discarded() && (doc.is_object() || r.body.empty());
    if (r.status >= 200 && r.status < 300 && parsed)
      return std::optional<json>(r.body.empty() ? json::object() : std::move(doc));
    if (r.status == 404 && missing_ok) return std::optional<json>();
    FailureKind kind = failure_kind(r, doc, parsed);
    if (!options_.retry.should_retry(kind, attempt)) {
      std::string after = attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "";
      if (r.status == 0)
        return runtime_error(redact(fmt::format("{}: {}: cannot reach {}: {}{}", options_.store_name, doing,
                                                options_.base_url, r.transport_error, after)));
      if (r.status >= 200 && r.status < 300)
        return runtime_error(fmt::format("{}: {}: malformed response from BigQuery (HTTP {}){}", options_.store_name,
                                         doing, r.status, after));
      auto [reason, message] = error_of(doc);
      return runtime_error(
          redact(fmt::format("{}: {}: HTTP {}{}{}{}", options_.store_name, doing, r.status,
                             reason.empty() ? "" : " " + reason, message.empty() ? "" : ": " + message, after)));
    }
    int64_t wait = options_.retry.delay_ms(attempt, r, rng, unix_now_ms());
    if (options_.sleep_ms)
      options_.sleep_ms(wait);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

Result<json> BigQueryRest::fetch_page(const std::string& job_id, const std::string& location,
                                      const std::string& page_token, const std::string& doing) {
  std::string path = fmt::format("/queries/{}?maxResults={}&timeoutMs=10000&formatOptions.useInt64Timestamp=true",
                                 url_encode(job_id), options_.page_rows);
  if (!location.empty()) path += "&location=" + url_encode(location);
  if (!page_token.empty()) path += "&pageToken=" + url_encode(page_token);
  PT_ASSIGN_OR_RETURN(auto page, call("GET", path, nullptr, doing));
  return std::move(*page);
}

Result<BqDmlStats> BigQueryRest::dml_stats_of(const json& response, const std::string& job_id,
                                              const std::string& location, const std::string& doing) {
  auto read = [](const json& s) {
    BqDmlStats out;
    if (s.contains("insertedRowCount")) out.inserted = as_int(s["insertedRowCount"]);
    if (s.contains("updatedRowCount")) out.updated = as_int(s["updatedRowCount"]);
    if (s.contains("deletedRowCount")) out.deleted = as_int(s["deletedRowCount"]);
    return out;
  };
  // jobs.query answers carry dmlStats; getQueryResults pages only numDmlAffectedRows (then ask jobs.get).
  if (response.contains("dmlStats") && response["dmlStats"].is_object()) return read(response["dmlStats"]);
  if (!response.contains("numDmlAffectedRows")) return BqDmlStats{};  // not a DML statement
  std::string path = "/jobs/" + url_encode(job_id) + (location.empty() ? "" : "?location=" + url_encode(location));
  PT_ASSIGN_OR_RETURN(auto job, call("GET", path, nullptr, doing));
  const json& j = *job;
  if (j.contains("statistics") && j["statistics"].contains("query") && j["statistics"]["query"].contains("dmlStats"))
    return read(j["statistics"]["query"]["dmlStats"]);
  return runtime_error(
      fmt::format("{}: {}: BigQuery reported no DML statistics for job {}", options_.store_name, doing, job_id));
}

Result<BqDmlStats> BigQueryRest::query(const std::string& sql, const std::vector<BqParam>& params,
                                       const std::string& doing, const RowVisitor& visit) {
  json qp = json::array();
  for (const BqParam& p : params) {
    if (p.type == "ARRAY") {
      json values = json::array();
      for (const std::string& v : p.values) values.push_back({{"value", v}});
      qp.push_back({{"name", p.name},
                    {"parameterType", {{"type", "ARRAY"}, {"arrayType", {{"type", "STRING"}}}}},
                    {"parameterValue", {{"arrayValues", values}}}});
    } else {
      qp.push_back({{"name", p.name}, {"parameterType", {{"type", p.type}}}, {"parameterValue", {{"value", p.value}}}});
    }
  }
  json body = {{"query", sql},
               {"useLegacySql", false},
               {"parameterMode", "NAMED"},
               {"queryParameters", qp},
               {"maxResults", options_.page_rows},
               {"timeoutMs", 10000},
               {"requestId", bq_random_hex(16)},  // a retried POST returns the same job, never runs it twice
               {"formatOptions", {{"useInt64Timestamp", true}}}};
  if (!options_.location.empty()) body["location"] = options_.location;
  PT_ASSIGN_OR_RETURN(auto first, call("POST", "/queries", &body, doing));
  json page = std::move(*first);
  std::string job_id, location;
  if (page.contains("jobReference") && page["jobReference"].is_object()) {
    const json& ref = page["jobReference"];
    if (ref.contains("jobId") && ref["jobId"].is_string()) job_id = ref["jobId"].get<std::string>();
    if (ref.contains("location") && ref["location"].is_string()) location = ref["location"].get<std::string>();
  }
  auto complete = [](const json& p) {
    return p.contains("jobComplete") && p["jobComplete"].is_boolean() && p["jobComplete"].get<bool>();
  };
  if (!complete(page) && job_id.empty())
    return runtime_error(
        fmt::format("{}: {}: malformed response from BigQuery (no job reference)", options_.store_name, doing));
  while (!complete(page)) {
    PT_ASSIGN_OR_RETURN(page, fetch_page(job_id, location, "", doing));
  }
  PT_ASSIGN_OR_RETURN(BqDmlStats stats, dml_stats_of(page, job_id, location, doing));
  if (!visit) return stats;
  int64_t index = 0;
  for (;;) {
    if (page.contains("rows")) {
      if (!page["rows"].is_array())
        return runtime_error(
            fmt::format("{}: {}: malformed result page (rows is not an array)", options_.store_name, doing));
      for (json& row : page["rows"]) {
        Cells cells;
        if (row.is_object() && row.contains("f") && row["f"].is_array()) {
          for (json& cell : row["f"]) {
            if (!cell.is_object() || !cell.contains("v") || cell["v"].is_null())
              cells.emplace_back();
            else if (cell["v"].is_string())
              cells.emplace_back(cell["v"].get<std::string>());
            else
              cells.emplace_back(cell["v"].dump());
          }
        }
        PT_ASSIGN_OR_RETURN(bool more, visit(std::move(cells), index++));
        if (!more) return stats;
      }
    }
    if (!has_more_pages(page)) return stats;
    if (job_id.empty())
      return runtime_error(
          fmt::format("{}: {}: malformed response from BigQuery (no job reference)", options_.store_name, doing));
    PT_ASSIGN_OR_RETURN(page, fetch_page(job_id, location, page["pageToken"].get<std::string>(), doing));
  }
}

Result<bool> BigQueryRest::insert_all(const std::string& dataset, const std::string& table, const json& rows,
                                      const std::vector<std::string>& row_names, const std::string& doing) {
  json body = {{"kind", "bigquery#tableDataInsertAllRequest"},
               {"skipInvalidRows", false},
               {"ignoreUnknownValues", false},
               {"rows", rows}};
  PT_ASSIGN_OR_RETURN(
      auto resp, call("POST", "/datasets/" + url_encode(dataset) + "/tables/" + url_encode(table) + "/insertAll", &body,
                      doing, true));
  if (!resp) return false;
  if (!resp->contains("insertErrors") || !(*resp)["insertErrors"].is_array() || (*resp)["insertErrors"].empty())
    return true;
  const json& errors = (*resp)["insertErrors"];
  const json* culprit = &errors[0];
  for (const json& e : errors)  // rows that were fine report "stopped"; name the one that was not
    if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty() &&
        str_field(e["errors"][0], "reason") != "stopped") {
      culprit = &e;
      break;
    }
  int64_t index = culprit->contains("index") ? as_int((*culprit)["index"]) : -1;
  std::string name = index >= 0 && static_cast<size_t>(index) < row_names.size() ? row_names[static_cast<size_t>(index)]
                                                                                 : fmt::format("#{}", index);
  std::string reason, message;
  if (culprit->contains("errors") && (*culprit)["errors"].is_array() && !(*culprit)["errors"].empty()) {
    const json& e = (*culprit)["errors"][0];
    reason = str_field(e, "reason");
    message = str_field(e, "message");
    if (e.contains("location") && e["location"].is_string() && !e["location"].get<std::string>().empty())
      message += " (field " + e["location"].get<std::string>() + ")";
  }
  return runtime_error(
      redact(fmt::format("{}: {}: BigQuery rejected row {}: {}{}; nothing from this batch was stored",
                         options_.store_name, doing, name, reason, message.empty() ? "" : ": " + message)));
}

}  // namespace pt
