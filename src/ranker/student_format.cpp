// Reading and writing the student model file described in ranker/student_format.h.
#include "ranker/student_format.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ranker/student.h"
#include "util/read_file.h"

namespace pt::ranker {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string quote(std::string_view s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_sparse(std::string& out, const SparseRow& row) {
  out += '[';
  for (size_t i = 0; i < row.size(); ++i)
    fmt::format_to(std::back_inserter(out), "{}{},{}", i ? "," : "", row[i].first, row[i].second);
  out += ']';
}

template <class T>
void append_array(std::string& out, const std::vector<T>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) fmt::format_to(std::back_inserter(out), "{}{}", i ? "," : "", v[i]);
  out += ']';
}

std::string serialize_history(const HistoryStats& s) {
  std::string out;
  fmt::format_to(std::back_inserter(out),
                 "{{\"short_half_life\":{},\"long_half_life\":{},\"events\":{},\"target_total\":{},\n\"files\":[",
                 s.params.short_half_life, s.params.long_half_life, s.events, s.target_total);
  for (size_t f = 0; f < s.files.size(); ++f)
    fmt::format_to(std::back_inserter(out), "{}\n[{},{},{},{},{}]", f ? "," : "",
                   quote(s.files.text(static_cast<int32_t>(f))), s.file_count[f], s.decay_short[f], s.decay_long[f],
                   s.file_step[f]);
  out += "],\n\"cochange\":[";
  bool first = true;
  for (size_t f = 0; f < s.cochange.size(); ++f) {
    if (s.cochange[f].empty()) continue;
    fmt::format_to(std::back_inserter(out), "{}\n[{}", first ? "" : ",", f);
    for (const auto& [g, c] : s.cochange[f]) fmt::format_to(std::back_inserter(out), ",{},{}", g, c);
    out += ']';
    first = false;
  }
  out += "],\n\"dirs\":[";
  for (size_t d = 0; d < s.dirs.size(); ++d)
    fmt::format_to(std::back_inserter(out), "{}[{},{}]", d ? "," : "", quote(s.dirs.text(static_cast<int32_t>(d))),
                   s.dir_count[d]);
  out += "],\n\"exts\":[";
  for (size_t e = 0; e < s.exts.size(); ++e)
    fmt::format_to(std::back_inserter(out), "{}[{},{}]", e ? "," : "", quote(s.exts.text(static_cast<int32_t>(e))),
                   s.ext_count[e]);
  out += "],\n\"words\":[";
  for (size_t w = 0; w < s.words.size(); ++w) {
    fmt::format_to(std::back_inserter(out), "{}\n[{},{},", w ? "," : "", quote(s.words.text(static_cast<int32_t>(w))),
                   s.word_events[w]);
    append_sparse(out, s.word_files[w]);
    out += ',';
    append_sparse(out, s.word_dirs[w]);
    out += ',';
    append_sparse(out, s.word_exts[w]);
    out += ']';
  }
  out += "]}";
  return out;
}

// ---- reading ----

struct Reader {
  std::string_view source;
  Error fail(std::string_view field, std::string_view why) const {
    return runtime_error(fmt::format("{}: {}: {}", source, field, why));
  }
};

Result<double> get_number(const Reader& r, element e, std::string_view field) {
  double d;
  if (e.is_int64()) return static_cast<double>(e.get_int64().value_unsafe());
  if (e.is_uint64()) return static_cast<double>(e.get_uint64().value_unsafe());
  if (e.get_double().get(d)) return r.fail(field, "expected a number");
  return d;
}

Result<element> field(const Reader& r, object o, std::string_view key, std::string_view path) {
  element e;
  if (o[key].get(e)) return r.fail(fmt::format("{}{}", path, key), "missing");
  return e;
}

Result<double> number_field(const Reader& r, object o, std::string_view key, std::string_view path) {
  PT_ASSIGN_OR_RETURN(element e, field(r, o, key, path));
  return get_number(r, e, fmt::format("{}{}", path, key));
}

Result<array> array_field(const Reader& r, object o, std::string_view key, std::string_view path) {
  PT_ASSIGN_OR_RETURN(element e, field(r, o, key, path));
  array a;
  if (e.get_array().get(a)) return r.fail(fmt::format("{}{}", path, key), "expected an array");
  return a;
}

// A row [name, value, ...] of `size` elements whose first is a string: that name (the row in `row`),
// or `why` at `where`.
Result<std::string_view> named_row(const Reader& r, element e, size_t size, const std::string& where,
                                   std::string_view why, array& row) {
  std::string_view name;
  if (e.get_array().get(row) || row.size() != size || row.at(0).get_string().get(name)) return r.fail(where, why);
  return name;
}

// [id, weight, id, weight, ...] with ids below `limit`.
Result<SparseRow> read_pairs(const Reader& r, element e, size_t limit, const std::string& where, size_t skip = 0) {
  array a;
  if (e.get_array().get(a)) return r.fail(where, "expected an array");
  SparseRow row;
  size_t i = 0;
  int64_t id = -1;
  for (element v : a) {
    if (i++ < skip) continue;
    PT_ASSIGN_OR_RETURN(double x, get_number(r, v, where));
    if ((i - skip) % 2 == 1) {
      id = static_cast<int64_t>(x);
      if (x != std::floor(x) || id < 0 || static_cast<size_t>(id) >= limit) return r.fail(where, "id out of range");
    } else {
      row.push_back({static_cast<int32_t>(id), static_cast<float>(x)});
    }
  }
  if ((i - skip) % 2 != 0) return r.fail(where, "expected id, weight pairs");
  std::sort(row.begin(), row.end());
  return row;
}

Result<void> read_keyed_counts(const Reader& r, array a, const std::string& name, Interner& keys,
                               std::vector<float>& counts) {
  size_t i = 0;
  for (element e : a) {
    std::string where = fmt::format("history.{}[{}]", name, i++);
    array pair;
    PT_ASSIGN_OR_RETURN(std::string_view key, named_row(r, e, 2, where, "expected [name, count]", pair));
    PT_ASSIGN_OR_RETURN(double c, get_number(r, pair.at(1).value_unsafe(), where));
    keys.intern(key);
    counts.push_back(static_cast<float>(c));
  }
  return ok();
}

Result<void> read_history(const Reader& r, object h, HistoryStats& s) {
  const std::string p = "history.";
  PT_ASSIGN_OR_RETURN(s.params.short_half_life, number_field(r, h, "short_half_life", p));
  PT_ASSIGN_OR_RETURN(s.params.long_half_life, number_field(r, h, "long_half_life", p));
  PT_ASSIGN_OR_RETURN(double events, number_field(r, h, "events", p));
  s.events = static_cast<int64_t>(events);
  PT_ASSIGN_OR_RETURN(s.target_total, number_field(r, h, "target_total", p));
  PT_ASSIGN_OR_RETURN(array files, array_field(r, h, "files", p));
  size_t i = 0;
  for (element e : files) {
    std::string where = fmt::format("history.files[{}]", i++);
    array row;
    PT_ASSIGN_OR_RETURN(std::string_view path,
                        named_row(r, e, 5, where, "expected [path, count, decay_short, decay_long, step]", row));
    double v[4];
    for (size_t k = 0; k < 4; ++k) {
      PT_ASSIGN_OR_RETURN(v[k], get_number(r, row.at(k + 1).value_unsafe(), where));
    }
    if (s.files.intern(path) != static_cast<int32_t>(s.files.size() - 1)) return r.fail(where, "duplicate path");
    s.file_count.push_back(static_cast<float>(v[0]));
    s.decay_short.push_back(static_cast<float>(v[1]));
    s.decay_long.push_back(static_cast<float>(v[2]));
    s.file_step.push_back(static_cast<int64_t>(v[3]));
  }
  const size_t nf = s.files.size();
  s.cochange.assign(nf, {});
  PT_ASSIGN_OR_RETURN(array cochange, array_field(r, h, "cochange", p));
  i = 0;
  for (element e : cochange) {
    std::string where = fmt::format("history.cochange[{}]", i++);
    array row;
    if (e.get_array().get(row) || row.size() == 0) return r.fail(where, "expected [file, id, count, ...]");
    PT_ASSIGN_OR_RETURN(double f, get_number(r, row.at(0).value_unsafe(), where));
    if (f < 0 || f >= static_cast<double>(nf)) return r.fail(where, "file id out of range");
    PT_ASSIGN_OR_RETURN(s.cochange[static_cast<size_t>(f)], read_pairs(r, e, nf, where, 1));
  }
  PT_ASSIGN_OR_RETURN(array dirs, array_field(r, h, "dirs", p));
  PT_TRY(read_keyed_counts(r, dirs, "dirs", s.dirs, s.dir_count));
  PT_ASSIGN_OR_RETURN(array exts, array_field(r, h, "exts", p));
  PT_TRY(read_keyed_counts(r, exts, "exts", s.exts, s.ext_count));
  PT_ASSIGN_OR_RETURN(array words, array_field(r, h, "words", p));
  i = 0;
  for (element e : words) {
    std::string where = fmt::format("history.words[{}]", i++);
    array row;
    PT_ASSIGN_OR_RETURN(std::string_view word,
                        named_row(r, e, 5, where, "expected [word, events, files, dirs, exts]", row));
    PT_ASSIGN_OR_RETURN(double ev, get_number(r, row.at(1).value_unsafe(), where));
    s.words.intern(word);
    s.word_events.push_back(static_cast<float>(ev));
    PT_ASSIGN_OR_RETURN(auto wf, read_pairs(r, row.at(2).value_unsafe(), nf, where + "[2]"));
    PT_ASSIGN_OR_RETURN(auto wd, read_pairs(r, row.at(3).value_unsafe(), s.dirs.size(), where + "[3]"));
    PT_ASSIGN_OR_RETURN(auto we, read_pairs(r, row.at(4).value_unsafe(), s.exts.size(), where + "[4]"));
    s.word_files.push_back(std::move(wf));
    s.word_dirs.push_back(std::move(wd));
    s.word_exts.push_back(std::move(we));
  }
  return ok();
}

template <class T>
Result<std::vector<T>> read_numbers(const Reader& r, object o, std::string_view key, const std::string& where) {
  PT_ASSIGN_OR_RETURN(array a, array_field(r, o, key, where));
  std::vector<T> out;
  for (element e : a) {
    PT_ASSIGN_OR_RETURN(double d, get_number(r, e, where + std::string(key)));
    out.push_back(static_cast<T>(d));
  }
  return out;
}

Result<Tree> read_tree(const Reader& r, element e, size_t index, const std::string& prefix) {
  const std::string where = fmt::format("{}trees[{}].", prefix, index);
  object o;
  if (e.get_object().get(o)) return r.fail(where.substr(0, where.size() - 1), "expected an object");
  PT_ASSIGN_OR_RETURN(auto feature, read_numbers<int32_t>(r, o, "feature", where));
  PT_ASSIGN_OR_RETURN(auto threshold, read_numbers<float>(r, o, "threshold", where));
  PT_ASSIGN_OR_RETURN(auto left, read_numbers<int32_t>(r, o, "left", where));
  PT_ASSIGN_OR_RETURN(auto right, read_numbers<int32_t>(r, o, "right", where));
  PT_ASSIGN_OR_RETURN(auto value, read_numbers<float>(r, o, "value", where));
  const size_t n = feature.size();
  if (n == 0 || threshold.size() != n || left.size() != n || right.size() != n || value.size() != n)
    return r.fail(where + "feature", "node arrays must be non-empty and of equal length");
  Tree t;
  for (size_t k = 0; k < n; ++k) {
    TreeNode node{feature[k], threshold[k], left[k], right[k], value[k]};
    if (node.feature >= kFeatureCount) return r.fail(where + "feature", "unknown feature index");
    // Children must come after their parent: no cycles, every walk ends at a leaf.
    if (node.feature >= 0 && (node.left <= static_cast<int32_t>(k) || node.right <= static_cast<int32_t>(k) ||
                              node.left >= static_cast<int32_t>(n) || node.right >= static_cast<int32_t>(n)))
      return r.fail(where + "left", "child index out of range");
    t.nodes.push_back(node);
  }
  return t;
}

void append_trees(std::string& out, const Ensemble& ensemble) {
  out += '[';
  for (size_t t = 0; t < ensemble.trees.size(); ++t) {
    const auto& nodes = ensemble.trees[t].nodes;
    std::vector<int32_t> f, l, r;
    std::vector<float> th, v;
    for (const auto& n : nodes) {
      f.push_back(n.feature);
      th.push_back(n.threshold);
      l.push_back(n.left);
      r.push_back(n.right);
      v.push_back(n.value);
    }
    out += t ? ",\n{\"feature\":" : "\n{\"feature\":";
    append_array(out, f);
    out += ",\"threshold\":";
    append_array(out, th);
    out += ",\"left\":";
    append_array(out, l);
    out += ",\"right\":";
    append_array(out, r);
    out += ",\"value\":";
    append_array(out, v);
    out += '}';
  }
  out += ']';
}

Result<Calibration> read_calibration(const Reader& r, element e, const std::string& where) {
  object cal;
  if (e.get_object().get(cal)) return r.fail(where, "expected an object");
  Calibration c;
  PT_ASSIGN_OR_RETURN(double max_k, number_field(r, cal, "max_k", where + "."));
  if (max_k < 1 || max_k > 1000) return r.fail(where + ".max_k", "expected 1..1000");
  c.max_k = static_cast<int>(max_k);
  PT_ASSIGN_OR_RETURN(element margin, field(r, cal, "margin", where + "."));
  if (!margin.is_null()) {
    PT_ASSIGN_OR_RETURN(c.margin, get_number(r, margin, where + ".margin"));
  }
  return c;
}

Result<Ensemble> read_trees(const Reader& r, object o, const std::string& where) {
  PT_ASSIGN_OR_RETURN(array trees, array_field(r, o, "trees", where));
  Ensemble out;
  out.num_features = kFeatureCount;
  size_t t = 0;
  for (element e : trees) {
    PT_ASSIGN_OR_RETURN(Tree tree, read_tree(r, e, t++, where));
    out.trees.push_back(std::move(tree));
  }
  return out;
}

}  // namespace

std::string StudentModel::serialize() const {
  std::string out;
  fmt::format_to(std::back_inserter(out), "{{\"format\":{},\"version\":{},\n\"features\":[", quote(kStudentFormatName),
                 kStudentFormatVersion);
  for (int f = 0; f < kFeatureCount; ++f)
    fmt::format_to(std::back_inserter(out), "{}{}", f ? "," : "", quote(feature_name(f)));
  fmt::format_to(
      std::back_inserter(out),
      "],\n\"meta\":{{\"teacher\":{},\"train_traces\":{},\"tune_traces\":{},\"seed\":{},\"trained_at\":{}}},\n",
      quote(meta.teacher), meta.train_traces, meta.tune_traces, meta.seed, quote(meta.trained_at));
  fmt::format_to(std::back_inserter(out), "\"calibration\":{{\"max_k\":{},\"margin\":{}}},\n", calibration.max_k,
                 std::isfinite(calibration.margin) ? fmt::format("{}", calibration.margin) : std::string("null"));
  fmt::format_to(std::back_inserter(out),
                 "\"candidates\":{{\"max_window_files\":{},\"top_bm25\":{},\"top_name\":{},\"top_cochange\":{},\"top_"
                 "words\":{}}},\n",
                 candidates.max_window_files, candidates.top_bm25, candidates.top_name, candidates.top_cochange,
                 candidates.top_words);
  out += "\"history\":";
  out += serialize_history(stats);
  out += ",\n\"trees\":";
  append_trees(out, ensemble);
  if (!paths_only.ensemble.trees.empty()) {
    fmt::format_to(
        std::back_inserter(out),
        ",\n\"paths_only\":{{\"calibration\":{{\"max_k\":{},\"margin\":{}}},\"trees\":", paths_only.calibration.max_k,
        std::isfinite(paths_only.calibration.margin) ? fmt::format("{}", paths_only.calibration.margin)
                                                     : std::string("null"));
    append_trees(out, paths_only.ensemble);
    out += '}';
  }
  out += "}\n";
  return out;
}

Result<std::unique_ptr<StudentModel>> StudentModel::parse(std::string_view text, std::string_view source) {
  Reader r{source};
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root))
    return runtime_error(
        fmt::format("{}: not a student model file (invalid JSON: {})", source, simdjson::error_message(err)));
  object o;
  std::string_view format;
  if (root.get_object().get(o) || o["format"].get_string().get(format) || format != kStudentFormatName)
    return runtime_error(
        fmt::format("{}: not a student model file (\"format\" is not \"{}\")", source, kStudentFormatName));
  PT_ASSIGN_OR_RETURN(double version, number_field(r, o, "version", ""));
  if (version != kStudentFormatVersion)
    return runtime_error(fmt::format(
        "{}: unsupported student model version {} (this build reads version {}); retrain with `student train`", source,
        version, kStudentFormatVersion));
  PT_ASSIGN_OR_RETURN(array features, array_field(r, o, "features", ""));
  std::vector<std::string_view> names;
  for (element e : features) {
    std::string_view s;
    if (e.get_string().get(s)) return r.fail("features", "expected strings");
    names.push_back(s);
  }
  bool same = names.size() == static_cast<size_t>(kFeatureCount);
  for (int f = 0; same && f < kFeatureCount; ++f) same = names[static_cast<size_t>(f)] == feature_name(f);
  if (!same)
    return r.fail("features", "the model's feature list differs from this build's; retrain with `student train`");

  auto m = std::make_unique<StudentModel>();
  object meta, cand, hist;
  PT_ASSIGN_OR_RETURN(element meta_e, field(r, o, "meta", ""));
  if (meta_e.get_object().get(meta)) return r.fail("meta", "expected an object");
  std::string_view teacher, trained_at;
  if (meta["teacher"].get_string().get(teacher)) return r.fail("meta.teacher", "expected a string");
  if (meta["trained_at"].get_string().get(trained_at)) return r.fail("meta.trained_at", "expected a string");
  m->meta.teacher = std::string(teacher);
  m->meta.trained_at = std::string(trained_at);
  PT_ASSIGN_OR_RETURN(double tt, number_field(r, meta, "train_traces", "meta."));
  PT_ASSIGN_OR_RETURN(double tu, number_field(r, meta, "tune_traces", "meta."));
  m->meta.train_traces = static_cast<int64_t>(tt);
  m->meta.tune_traces = static_cast<int64_t>(tu);
  uint64_t seed = 0;
  if (meta["seed"].get_uint64().get(seed)) return r.fail("meta.seed", "expected a non-negative integer");
  m->meta.seed = seed;

  PT_ASSIGN_OR_RETURN(element cal_e, field(r, o, "calibration", ""));
  PT_ASSIGN_OR_RETURN(m->calibration, read_calibration(r, cal_e, "calibration"));

  PT_ASSIGN_OR_RETURN(element cand_e, field(r, o, "candidates", ""));
  if (cand_e.get_object().get(cand)) return r.fail("candidates", "expected an object");
  size_t* slots[] = {&m->candidates.max_window_files, &m->candidates.top_bm25, &m->candidates.top_name,
                     &m->candidates.top_cochange, &m->candidates.top_words};
  const char* keys[] = {"max_window_files", "top_bm25", "top_name", "top_cochange", "top_words"};
  for (size_t k = 0; k < 5; ++k) {
    PT_ASSIGN_OR_RETURN(double v, number_field(r, cand, keys[k], "candidates."));
    if (v < 0) return r.fail(std::string("candidates.") + keys[k], "expected a non-negative integer");
    *slots[k] = static_cast<size_t>(v);
  }

  PT_ASSIGN_OR_RETURN(element hist_e, field(r, o, "history", ""));
  if (hist_e.get_object().get(hist)) return r.fail("history", "expected an object");
  PT_TRY(read_history(r, hist, m->stats));

  PT_ASSIGN_OR_RETURN(m->ensemble, read_trees(r, o, ""));
  element po_e;
  if (!o["paths_only"].get(po_e)) {
    object po;
    if (po_e.get_object().get(po)) return r.fail("paths_only", "expected an object");
    PT_ASSIGN_OR_RETURN(element po_cal, field(r, po, "calibration", "paths_only."));
    PT_ASSIGN_OR_RETURN(m->paths_only.calibration, read_calibration(r, po_cal, "paths_only.calibration"));
    PT_ASSIGN_OR_RETURN(m->paths_only.ensemble, read_trees(r, po, "paths_only."));
  }
  m->hot_files = m->stats.top_files(kHotFiles);
  return m;
}

Result<std::unique_ptr<StudentModel>> StudentModel::load(const std::string& path) {
  PT_ASSIGN_OR_RETURN(std::string text, read_file(path, "cannot open student model file"));
  return parse(text, path);
}

}  // namespace pt::ranker

namespace pt::ranker {

bool TrainingProvenance::trained_on(const std::string& trace_id) const {
  return std::binary_search(trace_ids.begin(), trace_ids.end(), trace_id);
}

std::string add_training_provenance(std::string model_json, const TrainingProvenance& p) {
  nlohmann::json j = {{"teacher", p.teacher},
                      {"store", p.store},
                      {"holdout_newest", p.holdout_newest},
                      {"cutoff", p.cutoff},
                      {"traces_total", p.traces_total},
                      {"train_traces", p.train_traces},
                      {"holdout_traces", p.holdout_traces}};
  std::vector<std::string> ids = p.trace_ids;
  std::sort(ids.begin(), ids.end());
  j["trace_ids"] = ids;
  if (!p.stores.empty()) {
    nlohmann::json stores = nlohmann::json::array();
    for (const auto& s : p.stores)
      stores.push_back({{"store", s.store},
                        {"holdout_newest", s.holdout_newest},
                        {"cutoff", s.cutoff},
                        {"traces_total", s.traces_total},
                        {"train_traces", s.train_traces},
                        {"holdout_traces", s.holdout_traces}});
    j["stores"] = stores;
  }
  if (!p.hyper_trials.empty()) {
    nlohmann::json trials = nlohmann::json::array();
    for (const auto& t : p.hyper_trials)
      trials.push_back({{"max_leaves", t.max_leaves},
                        {"min_leaf_rows", t.min_leaf_rows},
                        {"learning_rate", t.learning_rate},
                        {"trees", t.trees},
                        {"valid_recall5", t.valid_recall5},
                        {"valid_ndcg", t.valid_ndcg}});
    j["hyper_parameters"] = {{"selected_on", "tune"},
                             {"valid_traces", p.hyper_valid_traces},
                             {"chosen", p.hyper_chosen},
                             {"trials", trials}};
  }
  size_t close = model_json.rfind('}');
  if (close == std::string::npos) return model_json;
  model_json.insert(close, ",\n\"provenance\":" + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return model_json;
}

Result<std::optional<TrainingProvenance>> read_training_provenance(std::string_view text, std::string_view source) {
  nlohmann::json root = nlohmann::json::parse(text, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return runtime_error(fmt::format("{}: not a student model file (invalid JSON)", source));
  auto it = root.find("provenance");
  if (it == root.end()) return std::optional<TrainingProvenance>();
  const nlohmann::json& p = *it;
  auto bad = [&](std::string_view field, std::string_view want) {
    return runtime_error(fmt::format("{}: provenance.{}: expected {}", source, field, want));
  };
  if (!p.is_object()) return bad("", "an object");
  TrainingProvenance out;
  for (auto [key, slot] : {std::pair<const char*, std::string*>{"teacher", &out.teacher},
                           {"store", &out.store},
                           {"cutoff", &out.cutoff}}) {
    auto f = p.find(key);
    if (f == p.end() || !f->is_string()) return bad(key, "a string");
    *slot = f->get<std::string>();
  }
  for (auto [key, slot] : {std::pair<const char*, int64_t*>{"traces_total", &out.traces_total},
                           {"train_traces", &out.train_traces},
                           {"holdout_traces", &out.holdout_traces}}) {
    auto f = p.find(key);
    if (f == p.end() || !f->is_number_integer() || f->get<int64_t>() < 0) return bad(key, "a non-negative integer");
    *slot = f->get<int64_t>();
  }
  auto h = p.find("holdout_newest");
  if (h == p.end() || !h->is_number() || h->get<double>() < 0 || h->get<double>() >= 1)
    return bad("holdout_newest", "a number in [0, 1)");
  out.holdout_newest = h->get<double>();
  auto ids = p.find("trace_ids");
  if (ids == p.end() || !ids->is_array()) return bad("trace_ids", "an array of strings");
  for (const auto& id : *ids) {
    if (!id.is_string()) return bad("trace_ids", "an array of strings");
    out.trace_ids.push_back(id.get<std::string>());
  }
  std::sort(out.trace_ids.begin(), out.trace_ids.end());
  if (auto st = p.find("stores"); st != p.end()) {
    if (!st->is_array()) return bad("stores", "an array of objects");
    for (const auto& s : *st) {
      StoreProvenance sp;
      try {
        sp.store = s.at("store").get<std::string>();
        sp.holdout_newest = s.at("holdout_newest").get<double>();
        sp.cutoff = s.at("cutoff").get<std::string>();
        sp.traces_total = s.at("traces_total").get<int64_t>();
        sp.train_traces = s.at("train_traces").get<int64_t>();
        sp.holdout_traces = s.at("holdout_traces").get<int64_t>();
      } catch (const nlohmann::json::exception&) {
        return bad("stores", "objects of store, holdout_newest, cutoff, traces_total, train_traces, holdout_traces");
      }
      out.stores.push_back(std::move(sp));
    }
  }
  if (auto hp = p.find("hyper_parameters"); hp != p.end()) {
    const nlohmann::json& trials = hp->is_object() ? hp->value("trials", nlohmann::json()) : nlohmann::json();
    if (!trials.is_array() || !(*hp)["chosen"].is_number_integer() || !(*hp)["valid_traces"].is_number_integer())
      return bad("hyper_parameters", "{\"valid_traces\": N, \"chosen\": I, \"trials\": [...]}");
    for (const auto& t : trials) {
      if (!t.is_object()) return bad("hyper_parameters.trials", "objects");
      HyperTrial h;
      try {
        h.max_leaves = t.at("max_leaves").get<int>();
        h.min_leaf_rows = t.at("min_leaf_rows").get<int>();
        h.learning_rate = t.at("learning_rate").get<double>();
        h.trees = t.at("trees").get<int>();
        h.valid_recall5 = t.at("valid_recall5").get<double>();
        h.valid_ndcg = t.at("valid_ndcg").get<double>();
      } catch (const nlohmann::json::exception&) {
        return bad("hyper_parameters.trials",
                   "max_leaves, min_leaf_rows, learning_rate, trees, valid_recall5, valid_ndcg");
      }
      out.hyper_trials.push_back(h);
    }
    out.hyper_chosen = (*hp)["chosen"].get<int>();
    out.hyper_valid_traces = (*hp)["valid_traces"].get<int64_t>();
    if (out.hyper_chosen < 0 || out.hyper_chosen >= static_cast<int>(out.hyper_trials.size()))
      return bad("hyper_parameters.chosen", "the index of a trial");
  }
  return std::optional<TrainingProvenance>(std::move(out));
}

Result<std::optional<TrainingProvenance>> load_training_provenance(const std::string& path) {
  PT_ASSIGN_OR_RETURN(std::string text, read_file(path, "cannot open student model file"));
  return read_training_provenance(text, path);
}

}  // namespace pt::ranker
