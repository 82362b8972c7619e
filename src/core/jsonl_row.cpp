// Implementation of core/jsonl_row.h. Parsing is one simdjson On-Demand pass over a reused padded
// buffer: the top-level columns are read, and the payload object is walked value by value (so
// every byte of it is validated) while its raw text is kept exactly as written.
#include "core/jsonl_row.h"

#include <simdjson.h>

#include <fmt/format.h>

#include "util/json_string.h"
#include "util/time.h"

namespace pt {

namespace od = simdjson::ondemand;

namespace {

enum Col { c_id, c_step, c_user, c_created, c_type, c_model, c_payload, c_count };
constexpr std::string_view kColNames[c_count] = {"id",   "agent_step_id", "user_id", "created_at",
                                                 "type", "model",         "payload"};

int column_index(std::string_view key) {
  for (int i = 0; i < c_count; ++i)
    if (kColNames[i] == key) return i;
  return -1;
}

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "?";
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&] {
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.' && (++i, !digits())) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// Visits every value under `v`, so that malformed JSON anywhere inside is reported.
simdjson::error_code walk(od::value v) {
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  switch (t) {
    case od::json_type::object: {
      od::object o;
      SIMDJSON_TRY(v.get_object().get(o));
      for (auto field : o) {
        std::string_view key;
        SIMDJSON_TRY(field.unescaped_key().get(key));
        od::value child;
        SIMDJSON_TRY(field.value().get(child));
        SIMDJSON_TRY(walk(child));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      SIMDJSON_TRY(v.get_array().get(a));
      for (auto element : a) {
        od::value child;
        SIMDJSON_TRY(element.get(child));
        SIMDJSON_TRY(walk(child));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number:
      return valid_number(rtrim(v.raw_json_token())) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: return rtrim(v.raw_json_token()) == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
  }
  return simdjson::INCORRECT_TYPE;
}

std::string json_reason(simdjson::error_code e) {
  if (e == simdjson::UTF8_ERROR) return "invalid UTF-8";
  return fmt::format("invalid JSON ({})", simdjson::error_message(e));
}

}  // namespace

struct JsonlRowParser::Impl {
  std::optional<Table> forced;
  od::parser parser;
  std::string buffer;  // the line, with SIMDJSON_PADDING spare capacity

  Result<Table> parse(std::string_view line, Row& out);
  Result<void> read_column(int col, od::value v, od::document& doc, Row& out);
};

JsonlRowParser::JsonlRowParser(std::optional<Table> forced_table) : impl_(std::make_unique<Impl>()) {
  impl_->forced = forced_table;
}
JsonlRowParser::~JsonlRowParser() = default;
JsonlRowParser::JsonlRowParser(JsonlRowParser&&) noexcept = default;
JsonlRowParser& JsonlRowParser::operator=(JsonlRowParser&&) noexcept = default;

Result<Table> JsonlRowParser::parse(std::string_view line, Row& out) { return impl_->parse(line, out); }

Result<void> JsonlRowParser::Impl::read_column(int col, od::value v, od::document& doc, Row& out) {
  std::string_view name = kColNames[col];
  od::json_type t;
  if (auto e = v.type().get(t)) return runtime_error(json_reason(e));
  if (col == c_payload) {
    if (t != od::json_type::object)
      return runtime_error(fmt::format("column \"payload\": expected a JSON object, got {}", type_name(t)));
    const char* start = v.raw_json_token().data();
    if (auto e = walk(v)) return runtime_error(fmt::format("column \"payload\": {}", json_reason(e)));
    const char* end = nullptr;
    if (doc.current_location().get(end)) return runtime_error(json_reason(simdjson::TAPE_ERROR));
    out.payload.assign(rtrim(std::string_view(start, static_cast<size_t>(end - start))));
    return ok();
  }
  if (t != od::json_type::string)
    return runtime_error(fmt::format("column \"{}\": expected a string, got {}", name, type_name(t)));
  std::string_view s;
  if (auto e = v.get_string().get(s)) return runtime_error(fmt::format("column \"{}\": {}", name, json_reason(e)));
  switch (col) {
    case c_id:
      if (s.empty()) return runtime_error("column \"id\": empty");
      out.id.assign(s);
      break;
    case c_step: out.agent_step_id.assign(s); break;
    case c_user: out.user_id.assign(s); break;
    case c_type: out.type.assign(s); break;
    case c_model: out.model.assign(s); break;
    case c_created: {
      auto ts = parse_timestamp(s);
      if (!ts.ok()) return runtime_error(fmt::format("column \"created_at\": {}", ts.error().message));
      out.created_at_us = *ts;
      break;
    }
  }
  return ok();
}

Result<Table> JsonlRowParser::Impl::parse(std::string_view line, Row& out) {
  if (buffer.capacity() < line.size() + simdjson::SIMDJSON_PADDING)
    buffer.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(line);
  out.type.clear();
  out.model.clear();
  od::document doc;
  if (auto e = parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc))
    return runtime_error(json_reason(e));
  od::object row;
  if (auto e = doc.get_object().get(row)) {
    if (e == simdjson::INCORRECT_TYPE) return runtime_error("a row must be a JSON object");
    return runtime_error(json_reason(e));
  }
  bool seen[c_count] = {};
  for (auto field : row) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return runtime_error(json_reason(e));
    int col = column_index(key);
    bool wrong_table =
        forced && ((col == c_type && *forced == Table::relabels) || (col == c_model && *forced == Table::traces));
    if (col < 0 || wrong_table) {
      std::string shown(key.substr(0, 64));
      // {:?} quotes the name and escapes control bytes: the reason stays one line.
      return runtime_error(forced ? fmt::format("unknown column {:?} for table {}", shown, table_name(*forced))
                                  : fmt::format("unknown column {:?}", shown));
    }
    if (seen[col]) return runtime_error(fmt::format("column \"{}\" appears twice", key));
    seen[col] = true;
    od::value v;
    if (auto e = field.value().get(v)) return runtime_error(json_reason(e));
    PT_TRY(read_column(col, v, doc, out));
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS)
    return runtime_error("invalid JSON (text after the row object)");
  if (seen[c_type] && seen[c_model])
    return runtime_error("a row has either \"type\" (traces) or \"model\" (relabels), not both");
  Table table;
  if (forced) {
    table = *forced;
  } else if (seen[c_type] || seen[c_model]) {
    table = seen[c_type] ? Table::traces : Table::relabels;
  } else {
    return runtime_error("missing column \"type\" (traces) or \"model\" (relabels)");
  }
  const int kind = table == Table::traces ? c_type : c_model;
  for (int col : {int{c_id}, int{c_step}, int{c_user}, int{c_created}, kind, int{c_payload}})
    if (!seen[col]) return runtime_error(fmt::format("missing column \"{}\"", kColNames[col]));
  return table;
}

void append_jsonl_row(std::string& out, Table table, const Row& row) {
  out += "{\"id\":";
  append_json_string(out, row.id);
  out += ",\"agent_step_id\":";
  append_json_string(out, row.agent_step_id);
  out += ",\"user_id\":";
  append_json_string(out, row.user_id);
  out += ",\"created_at\":\"";
  out += format_rfc3339(row.created_at_us);
  out += table == Table::traces ? "\",\"type\":" : "\",\"model\":";
  append_json_string(out, table == Table::traces ? row.type : row.model);
  out += ",\"payload\":";
  size_t at = out.size();
  out += row.payload.empty() ? std::string_view("{}") : std::string_view(row.payload);
  // Raw line breaks in valid JSON can only be whitespace between tokens: keep the row on one line.
  for (size_t i = at; i < out.size(); ++i)
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
  out += "}\n";
}

}  // namespace pt
