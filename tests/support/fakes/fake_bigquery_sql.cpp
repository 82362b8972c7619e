// Implementation of fakes/fake_bigquery_sql.h: a tokenizer and recursive-descent parser for the
// SELECT subset below, an evaluator over in-memory rows, and the store's MERGE recognised by shape.
//
// Statement shapes understood (everything else is a 400 invalidQuery):
//   SELECT item[, item…] FROM `p.d.t` [WHERE pred [AND pred…]] [ORDER BY expr [ASC|DESC], …]
//          [LIMIT @param | LIMIT n]
//     item: expr [AS name];  expr: column | @param | 'literal' | F(expr, …) with F one of
//     UNIX_MICROS, JSON_VALUE, JSON_QUERY (path '$.key'), COALESCE, STARTS_WITH, and the
//     aggregates COUNT(*) / COUNT(DISTINCT expr) (which make the result one row);
//     pred: expr (= | != | < | <= | > | >=) expr | expr IN UNNEST(@param) | boolean expr
//           | ( conj OR conj … ) with conj: pred | ( pred AND pred … )   (keyset pagination)
//           | expr IN (SELECT column FROM `p.d.t` [WHERE …] [ORDER BY …] [LIMIT …])
//             (a one-column sub-select over another table: the relabels of a trace window).
//   MERGE `target` T USING (SELECT * EXCEPT(batch_id) FROM `stage` WHERE batch_id = @p
//          QUALIFY ROW_NUMBER() OVER (PARTITION BY id) = 1) S ON T.id = S.id
//     WHEN MATCHED AND NOT (T.c IS NOT DISTINCT FROM S.c AND …) THEN UPDATE SET c = S.c, …
//     WHEN NOT MATCHED THEN INSERT (c, …) VALUES (S.c, …)
//     — the store's upsert; the fake checks that every target column is compared, set and
//     inserted (with PARSE_JSON / TO_JSON_STRING for a JSON payload), then applies it atomically.
#include "support/fakes/fake_bigquery_sql.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <regex>
#include <set>

#include "util/time.h"

namespace pt::fake::bq {
namespace {

using nlohmann::json;

[[noreturn]] void invalid(const std::string& message) { throw SqlError{400, "invalidQuery", message}; }

struct Tok {
  enum Kind { word, name, str, param, num, sym, end } kind;
  std::string text;
};

std::vector<Tok> tokenize(const std::string& sql) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`') {
      size_t e = sql.find('`', i + 1);
      if (e == std::string::npos) invalid("Unclosed identifier literal");
      out.push_back({Tok::name, sql.substr(i + 1, e - i - 1)});
      i = e + 1;
    } else if (c == '\'') {
      size_t e = sql.find('\'', i + 1);
      if (e == std::string::npos) invalid("Unclosed string literal");
      out.push_back({Tok::str, sql.substr(i + 1, e - i - 1)});
      i = e + 1;
    } else if (c == '@' || std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t s = c == '@' ? i + 1 : i, e = s;
      while (e < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[e])) || sql[e] == '_' || sql[e] == '.'))
        ++e;
      out.push_back({c == '@' ? Tok::param : Tok::word, sql.substr(s, e - s)});
      i = e;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t e = i;
      while (e < sql.size() && std::isdigit(static_cast<unsigned char>(sql[e]))) ++e;
      out.push_back({Tok::num, sql.substr(i, e - i)});
      i = e;
    } else {
      std::string two = sql.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "!=" || two == "<>") {
        out.push_back({Tok::sym, two == "<>" ? "!=" : two});
        i += 2;
      } else if (std::string("(),*=<>").find(c) != std::string::npos) {
        out.push_back({Tok::sym, std::string(1, c)});
        ++i;
      } else {
        invalid(std::string("Syntax error: Unexpected \"") + c + "\"");
      }
    }
  }
  out.push_back({Tok::end, ""});
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Expr {
  enum Kind { column, literal, param, call, star } kind = literal;
  std::string name;  // column / param / function (upper case)
  Value lit;
  std::vector<Expr> args;
  bool distinct = false;
};

struct Select;

struct Pred {
  Expr lhs;
  std::string op;  // "=", "!=", "<", "<=", ">", ">=", "IN", "" (boolean lhs), "OR" (any_of)
  Expr rhs;
  std::vector<std::vector<Pred>> any_of;  // op "OR": true when every pred of one group holds
  std::shared_ptr<Select> sub;            // op "IN SELECT": the sub-select
  std::shared_ptr<std::vector<Value>> sub_values = std::make_shared<std::vector<Value>>();  // its result
};

struct Select {
  std::vector<std::pair<Expr, std::string>> items;
  std::string table;
  std::vector<Pred> where;
  std::vector<std::pair<Expr, bool>> order;  // (expr, descending)
  std::optional<Expr> limit;
};

class Parser {
 public:
  explicit Parser(std::vector<Tok> toks) : t_(std::move(toks)) {}

  Select select() {
    Select s = select_body();
    if (t_[i_].kind != Tok::end)
      invalid("Syntax error: Unexpected \"" + t_[i_].text + "\" (outside the fake's subset)");
    return s;
  }

 private:
  Select select_body() {
    Select s;
    keyword("SELECT");
    do {
      Expr e = expr();
      std::string alias = e.kind == Expr::column ? e.name : "f" + std::to_string(s.items.size());
      if (accept_word("AS")) alias = take(Tok::word).text;
      s.items.emplace_back(std::move(e), alias);
    } while (accept_sym(","));
    keyword("FROM");
    s.table = take(Tok::name).text;
    if (accept_word("WHERE")) {
      do s.where.push_back(pred());
      while (accept_word("AND"));
    }
    if (accept_word("ORDER")) {
      keyword("BY");
      do {
        Expr e = expr();
        bool desc = accept_word("DESC");
        if (!desc) accept_word("ASC");
        s.order.emplace_back(std::move(e), desc);
      } while (accept_sym(","));
    }
    if (accept_word("LIMIT")) s.limit = expr();
    return s;
  }

  Tok take(Tok::Kind k) {
    if (t_[i_].kind != k) invalid("Syntax error: Unexpected \"" + t_[i_].text + "\"");
    return t_[i_++];
  }
  bool accept_word(const char* w) {
    if (t_[i_].kind == Tok::word && upper(t_[i_].text) == w) return ++i_, true;
    return false;
  }
  bool accept_sym(const char* s) {
    if (t_[i_].kind == Tok::sym && t_[i_].text == s) return ++i_, true;
    return false;
  }
  void keyword(const char* w) {
    if (!accept_word(w))
      invalid(std::string("Syntax error: Expected keyword ") + w + " but got \"" + t_[i_].text + "\"");
  }
  void symbol(const char* s) {
    if (!accept_sym(s)) invalid(std::string("Syntax error: Expected \"") + s + "\" but got \"" + t_[i_].text + "\"");
  }

  Expr expr() {
    Expr e;
    const Tok& t = t_[i_];
    if (t.kind == Tok::param) {
      e.kind = Expr::param;
      e.name = t_[i_++].text;
    } else if (t.kind == Tok::str) {
      e.lit = t_[i_++].text;
    } else if (t.kind == Tok::num) {
      e.lit = static_cast<int64_t>(std::stoll(t_[i_++].text));
    } else if (t.kind == Tok::word) {
      std::string w = t_[i_++].text;
      if (accept_sym("(")) {
        e.kind = Expr::call;
        e.name = upper(w);
        static const std::set<std::string> known = {"UNIX_MICROS", "JSON_VALUE",  "JSON_QUERY",
                                                    "COALESCE",    "STARTS_WITH", "COUNT"};
        if (!known.count(e.name)) invalid("Function not found: " + w + " (outside the fake's subset)");
        if (e.name == "COUNT" && accept_sym("*")) {
          e.args.push_back(Expr{Expr::star, "*", {}, {}, false});
        } else {
          if (e.name == "COUNT") e.distinct = accept_word("DISTINCT");
          do e.args.push_back(expr());
          while (accept_sym(","));
        }
        symbol(")");
      } else {
        e.kind = Expr::column;
        e.name = w;
      }
    } else {
      invalid("Syntax error: Unexpected \"" + t.text + "\"");
    }
    return e;
  }

  // After "(": conj OR conj … ")", each conj a pred or "(" pred AND pred … ")".
  Pred disjunction() {
    Pred p;
    p.op = "OR";
    do {
      std::vector<Pred> group;
      if (accept_sym("(")) {
        do group.push_back(pred());
        while (accept_word("AND"));
        symbol(")");
      } else {
        group.push_back(pred());
      }
      p.any_of.push_back(std::move(group));
    } while (accept_word("OR"));
    symbol(")");
    return p;
  }

  Pred pred() {
    if (accept_sym("(")) return disjunction();
    Pred p;
    p.lhs = expr();
    if (accept_word("IN")) {
      if (accept_sym("(")) {
        p.op = "IN SELECT";
        p.sub = std::make_shared<Select>(select_body());
        if (p.sub->items.size() != 1) invalid("IN subquery must return exactly one column");
        symbol(")");
        return p;
      }
      keyword("UNNEST");
      symbol("(");
      p.op = "IN";
      p.rhs = expr();
      if (p.rhs.kind != Expr::param) invalid("IN UNNEST takes an array parameter here");
      symbol(")");
      return p;
    }
    for (const char* op : {"=", "!=", "<=", ">=", "<", ">"})
      if (accept_sym(op)) {
        p.op = op;
        p.rhs = expr();
        return p;
      }
    return p;  // a boolean expression on its own
  }

  std::vector<Tok> t_;
  size_t i_ = 0;
};

struct Evaluator {
  const Table& table;
  const std::map<std::string, Param>& params;

  const Param& param(const std::string& name) const {
    auto it = params.find(name);
    if (it == params.end()) invalid("Query parameter '" + name + "' not found");
    return it->second;
  }

  static std::string key_of(const Expr& path) {
    const std::string* p = std::get_if<std::string>(&path.lit);
    if (!p || p->rfind("$.", 0) != 0 || p->find_first_of(".[", 2) != std::string::npos)
      invalid("Unsupported JSONPath (fake handles '$.key')");
    return p->substr(2);
  }

  Value json_field(const Value& doc, const Expr& path, bool as_query) const {
    const std::string* text = std::get_if<std::string>(&doc);
    if (!text) return {};
    json j = json::parse(*text, nullptr, false);
    std::string key = key_of(path);
    if (j.is_discarded() || !j.is_object() || !j.contains(key)) return {};
    const json& v = j[key];
    if (as_query) return v.dump();
    if (v.is_null() || v.is_object() || v.is_array()) return {};
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
  }

  Value eval(const Expr& e, const StoredRow& row) const {
    switch (e.kind) {
      case Expr::literal: return e.lit;
      case Expr::star: return int64_t{1};
      case Expr::param: return param(e.name).value;
      case Expr::column: {
        int c = table.column(e.name);
        if (c < 0) invalid("Unrecognized name: " + e.name);
        return row.values[static_cast<size_t>(c)];
      }
      case Expr::call: break;
    }
    if (e.name == "COUNT") invalid("Aggregate function COUNT not allowed here");
    std::vector<Value> a;
    for (const Expr& x : e.args) a.push_back(eval(x, row));
    if (e.name == "UNIX_MICROS") {
      if (a.size() != 1 || !(std::holds_alternative<int64_t>(a[0]) || std::holds_alternative<std::monostate>(a[0])))
        invalid("UNIX_MICROS takes a TIMESTAMP");
      return a[0];
    }
    if (e.name == "JSON_VALUE" || e.name == "JSON_QUERY") {
      if (a.size() != 2) invalid(e.name + " takes (json, path)");
      return json_field(a[0], e.args[1], e.name == "JSON_QUERY");
    }
    if (e.name == "COALESCE") {
      for (Value& v : a)
        if (!std::holds_alternative<std::monostate>(v)) return v;
      return {};
    }
    // STARTS_WITH
    if (a.size() != 2) invalid("STARTS_WITH takes two STRING arguments");
    const auto* s = std::get_if<std::string>(&a[0]);
    const auto* p = std::get_if<std::string>(&a[1]);
    if (!s || !p) return {};
    return s->rfind(*p, 0) == 0;
  }

  static int compare(const Value& a, const Value& b) {
    if (a.index() != b.index()) invalid("No matching signature for operator (argument types differ)");
    if (auto* x = std::get_if<std::string>(&a)) {
      int c = x->compare(std::get<std::string>(b));  // bytewise, like BigQuery's STRING order
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (auto* x = std::get_if<int64_t>(&a))
      return *x < std::get<int64_t>(b) ? -1 : (*x == std::get<int64_t>(b) ? 0 : 1);
    if (auto* x = std::get_if<bool>(&a)) return *x == std::get<bool>(b) ? 0 : (*x ? 1 : -1);
    return 0;
  }

  bool holds(const Pred& p, const StoredRow& row) const {
    if (p.op == "OR")
      return std::any_of(p.any_of.begin(), p.any_of.end(), [&](const std::vector<Pred>& group) {
        return std::all_of(group.begin(), group.end(), [&](const Pred& q) { return holds(q, row); });
      });
    Value l = eval(p.lhs, row);
    if (p.op.empty()) {
      const bool* b = std::get_if<bool>(&l);
      if (!b && !std::holds_alternative<std::monostate>(l)) invalid("WHERE clause should return type BOOL");
      return b && *b;
    }
    if (std::holds_alternative<std::monostate>(l)) return false;
    if (p.op == "IN SELECT")
      return std::any_of(p.sub_values->begin(), p.sub_values->end(),
                         [&](const Value& v) { return v.index() == l.index() && compare(l, v) == 0; });
    if (p.op == "IN") {
      const Param& arr = param(p.rhs.name);
      if (arr.type != "ARRAY") invalid("UNNEST expects an ARRAY parameter");
      return std::any_of(arr.values.begin(), arr.values.end(),
                         [&](const Value& v) { return v.index() == l.index() && compare(l, v) == 0; });
    }
    Value r = eval(p.rhs, row);
    if (std::holds_alternative<std::monostate>(r)) return false;
    int c = compare(l, r);
    if (p.op == "=") return c == 0;
    if (p.op == "!=") return c != 0;
    if (p.op == "<") return c < 0;
    if (p.op == "<=") return c <= 0;
    if (p.op == ">") return c > 0;
    return c >= 0;
  }

  std::string type_of(const Expr& e) const {
    if (e.kind == Expr::column) return table.schema[static_cast<size_t>(table.column(e.name))].type;
    if (e.kind == Expr::call && (e.name == "UNIX_MICROS" || e.name == "COUNT")) return "INT64";
    if (e.kind == Expr::call && e.name == "STARTS_WITH") return "BOOL";
    return "STRING";
  }
};

QueryResult run_select(const Select& s, const std::map<std::string, Param>& params, const Catalog& catalog);

// Runs the sub-selects of `preds` (and of their OR groups) once, before the outer rows are filtered.
void run_subqueries(const std::vector<Pred>& preds, const std::map<std::string, Param>& params,
                    const Catalog& catalog) {
  for (const Pred& p : preds) {
    for (const auto& group : p.any_of) run_subqueries(group, params, catalog);
    if (!p.sub) continue;
    QueryResult r = run_select(*p.sub, params, catalog);
    p.sub_values->clear();
    for (auto& row : r.rows) p.sub_values->push_back(std::move(row.front()));
  }
}

QueryResult run_select(const Select& s, const std::map<std::string, Param>& params, const Catalog& catalog) {
  Table* table = catalog(s.table);
  if (!table) throw SqlError{404, "notFound", "Not found: Table " + s.table + " was not found in location US"};
  run_subqueries(s.where, params, catalog);
  Evaluator ev{*table, params};
  std::vector<const StoredRow*> rows;
  for (const StoredRow& r : table->rows)
    if (std::all_of(s.where.begin(), s.where.end(), [&](const Pred& p) { return ev.holds(p, r); })) rows.push_back(&r);
  QueryResult out;
  for (const auto& [e, alias] : s.items) out.schema.push_back({alias, ev.type_of(e), "NULLABLE"});
  if (std::any_of(s.items.begin(), s.items.end(),
                  [](auto& it) { return it.first.kind == Expr::call && it.first.name == "COUNT"; })) {
    std::vector<Value> agg;
    for (const auto& [e, alias] : s.items) {
      if (e.kind != Expr::call || e.name != "COUNT")
        invalid("SELECT list expression references column which is neither grouped nor aggregated");
      std::set<std::string> seen;
      int64_t n = 0;
      for (const StoredRow* r : rows) {
        Value v = ev.eval(e.args[0], *r);
        if (std::holds_alternative<std::monostate>(v)) continue;
        if (e.distinct)
          seen.insert(std::to_string(v.index()) + ":" +
                      (std::holds_alternative<std::string>(v) ? std::get<std::string>(v)
                                                              : std::to_string(std::get<int64_t>(v))));
        else
          ++n;
      }
      agg.push_back(e.distinct ? static_cast<int64_t>(seen.size()) : n);
    }
    out.rows.push_back(std::move(agg));
    return out;
  }
  if (!s.order.empty())
    std::stable_sort(rows.begin(), rows.end(), [&](const StoredRow* a, const StoredRow* b) {
      for (const auto& [e, desc] : s.order) {
        Value va = ev.eval(e, *a), vb = ev.eval(e, *b);
        int c = va.index() != vb.index() ? (va.index() < vb.index() ? -1 : 1) : Evaluator::compare(va, vb);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      return false;
    });
  size_t limit = rows.size();
  if (s.limit) {
    Value v = s.limit->kind == Expr::param ? ev.param(s.limit->name).value : s.limit->lit;
    const int64_t* n = std::get_if<int64_t>(&v);
    if (!n || *n < 0) invalid("LIMIT expects a non-negative INT64");
    limit = std::min(limit, static_cast<size_t>(*n));
  }
  for (size_t i = 0; i < limit; ++i) {
    std::vector<Value> values;
    for (const auto& [e, alias] : s.items) values.push_back(ev.eval(e, *rows[i]));
    out.rows.push_back(std::move(values));
  }
  return out;
}

std::string squash(const std::string& sql) {
  std::string out;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void require(const std::string& clause, const std::string& piece, const std::string& what) {
  if (clause.find(piece) == std::string::npos) invalid("MERGE " + what + " lacks \"" + piece + "\"");
}

QueryResult run_merge(const std::string& sql, const std::map<std::string, Param>& params, const Catalog& catalog) {
  static const std::regex shape(
      R"(^MERGE `([^`]+)` T USING \(SELECT \* EXCEPT\(batch_id\) FROM `([^`]+)` WHERE batch_id = @(\w+) )"
      R"(QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY id\) = 1\) S ON T\.id = S\.id )"
      R"(WHEN MATCHED AND NOT \((.+)\) THEN UPDATE SET (.+) WHEN NOT MATCHED THEN INSERT \(([^)]+)\) VALUES \((.+)\)$)");
  std::smatch m;
  std::string text = squash(sql);
  if (!std::regex_match(text, m, shape)) invalid("Syntax error: MERGE outside the fake's subset");
  Table* target = catalog(m[1]);
  if (!target) throw SqlError{404, "notFound", "Not found: Table " + m[1].str() + " was not found in location US"};
  Table* stage = catalog(m[2]);
  if (!stage) throw SqlError{404, "notFound", "Not found: Table " + m[2].str() + " was not found in location US"};
  auto p = params.find(m[3]);
  if (p == params.end() || !std::holds_alternative<std::string>(p->second.value))
    invalid("Query parameter '" + m[3].str() + "' not found");
  const std::string batch = std::get<std::string>(p->second.value);
  const std::string compare = m[4], set = m[5], insert_cols = m[6], values = m[7];
  for (const Column& c : target->schema) {
    const bool js = c.type == "JSON";
    require(insert_cols, c.name, "INSERT column list");
    require(values, js ? "PARSE_JSON(S." + c.name + ")" : "S." + c.name, "VALUES");
    if (c.name == "id") continue;
    require(compare,
            js ? "TO_JSON_STRING(T." + c.name + ") IS NOT DISTINCT FROM TO_JSON_STRING(PARSE_JSON(S." + c.name + "))"
               : "T." + c.name + " IS NOT DISTINCT FROM S." + c.name,
            "change test");
    require(set, c.name + " = " + (js ? "PARSE_JSON(S." + c.name + ")" : "S." + c.name), "UPDATE SET");
  }
  // Source rows of the batch, first per id (QUALIFY ROW_NUMBER() … = 1).
  int sb = stage->column("batch_id"), sid = stage->column("id");
  if (sb < 0 || sid < 0) invalid("Unrecognized name: batch_id");
  std::map<std::string, const StoredRow*> source;
  for (const StoredRow& r : stage->rows)
    if (std::get_if<std::string>(&r.values[static_cast<size_t>(sb)]) &&
        std::get<std::string>(r.values[static_cast<size_t>(sb)]) == batch)
      source.emplace(std::get<std::string>(r.values[static_cast<size_t>(sid)]), &r);
  std::map<std::string, size_t> at;
  int tid = target->column("id");
  for (size_t i = 0; i < target->rows.size(); ++i)
    if (auto* id = std::get_if<std::string>(&target->rows[i].values[static_cast<size_t>(tid)])) at[*id] = i;
  auto converted = [&](const StoredRow& src) {
    std::vector<Value> v;
    for (const Column& c : target->schema) {
      int sc = stage->column(c.name);
      if (sc < 0) invalid("Unrecognized name: S." + c.name);
      Value x = src.values[static_cast<size_t>(sc)];
      if (c.type == "JSON" && std::holds_alternative<std::string>(x)) x = normalize_json(std::get<std::string>(x));
      v.push_back(std::move(x));
    }
    return v;
  };
  QueryResult out;
  out.dml = true;
  std::vector<StoredRow> next = target->rows;  // applied at the end: all or nothing
  for (const auto& [id, src] : source) {
    std::vector<Value> v = converted(*src);
    auto it = at.find(id);
    if (it == at.end()) {
      next.push_back({std::move(v), false});
      ++out.inserted;
    } else if (next[it->second].values != v) {
      if (next[it->second].streaming)
        invalid("UPDATE or DELETE statement over table " + m[1].str() +
                " would affect rows in the streaming buffer, which is not supported");
      next[it->second].values = std::move(v);
      ++out.updated;
    }
  }
  target->rows = std::move(next);
  return out;
}

}  // namespace

int Table::column(const std::string& name) const {
  for (size_t i = 0; i < schema.size(); ++i)
    if (schema[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string normalize_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? text : j.dump();
}

QueryResult run_sql(const std::string& sql, const std::map<std::string, Param>& params, const Catalog& catalog) {
  size_t start = sql.find_first_not_of(" \t\r\n");
  std::string head = upper(sql.substr(start == std::string::npos ? 0 : start, 6));
  if (head == "MERGE ") return run_merge(sql, params, catalog);
  if (head == "SELECT") return run_select(Parser(tokenize(sql)).select(), params, catalog);
  invalid("Statement outside the fake's subset (SELECT and the store's MERGE only)");
}

}  // namespace pt::fake::bq
