// Implementation of pipeline/eval/eval_score.h: option and model checks, trace selection, the per-trace
// join + scoring loop (streaming traces; answers are loaded once per model), then aggregation.
#include "pipeline/eval/eval_score.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/file_list.h"
#include "core/file_tree.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "pipeline/eval/eval_answers.h"
#include "pipeline/eval/eval_provenance.h"
#include "pipeline/eval/eval_runs.h"
#include "pipeline/join/relabel_source.h"
#include "providers/student_names.h"
#include "store/newest_window.h"
#include "util/sha256.h"
#include "util/time.h"

namespace pt {
namespace {

constexpr size_t kRequestPreviewBytes = 1500;

Result<void> validate(const EvalScoreOptions& o) {
  if (o.models.empty()) return usage_error("eval score: --models needs at least one model id");
  std::set<std::string> seen;
  for (const auto& m : o.models) {
    if (m.empty()) return usage_error("eval score: --models has an empty model id");
    if (!seen.insert(m).second)
      return usage_error(fmt::format("eval score: model \"{}\" is listed twice in --models", m));
  }
  if (o.reference.empty()) return usage_error("eval score: --reference is required (a teacher's model id, or truth)");
  if (o.newest && !(*o.newest > 0 && *o.newest <= 1))
    return usage_error(fmt::format("eval score: --newest must be a fraction in (0, 1], not {}", *o.newest));
  if (o.since_us && o.until_us && *o.since_us >= *o.until_us)
    return usage_error("eval score: --since must be before --until");
  if (o.bootstrap.resamples < 1) return usage_error("eval score: --bootstrap must be at least 1");
  return ok();
}

// "a (12 relabels), truth (40 relabels)" — every model name stored in relabels.
Result<std::string> stored_models(Store& store) {
  std::map<std::string, size_t> models;
  PT_TRY(store.scan(Table::relabels, RowFilter{}, [&](Row&& row) {
    ++models[row.model];
    return true;
  }));
  if (models.empty()) return std::string("none (the store has no relabels)");
  std::string out;
  for (const auto& [name, n] : models) out += fmt::format("{}{} ({} relabels)", out.empty() ? "" : ", ", name, n);
  return out;
}

Result<void> check_models(Store& store, const EvalScoreOptions& o) {
  std::vector<std::string> unknown;
  std::vector<std::string> all = o.models;
  all.push_back(o.reference);
  for (const auto& m : all) {
    RowFilter f;
    f.model = m;
    PT_ASSIGN_OR_RETURN(int64_t n, store.count(Table::relabels, f));
    if (n == 0) unknown.push_back(m);
  }
  if (unknown.empty()) return ok();
  PT_ASSIGN_OR_RETURN(std::string known, stored_models(store));
  std::string hint = std::find(unknown.begin(), unknown.end(), std::string(kTruthModel)) != unknown.end()
                         ? " (truth comes from `picktune import git`)"
                         : " (produce them with `picktune eval relabel` or load them with `picktune import jsonl`)";
  return usage_error(fmt::format("eval score: no relabels from {}{}; models in {}: {}", fmt::join(unknown, ", "), hint,
                                 store.describe(), known));
}

std::string describe_selection(const EvalScoreOptions& o, int64_t total, std::optional<int64_t> limit) {
  std::string s = "get-relevant-files traces";
  if (o.since_us) s += " since " + format_rfc3339(*o.since_us);
  if (o.until_us) s += " until " + format_rfc3339(*o.until_us);
  if (limit) s += fmt::format(", newest {} ({} of {})", *o.newest, *limit, total);
  return s;
}

std::string utf8_prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "…";
}

struct GroupAcc {
  size_t n = 0;
  std::array<size_t, kFilesHistogramBins> reference_histogram{};
  std::vector<MetricColumns> columns;                                        // per model
  std::vector<std::array<size_t, kFilesHistogramBins>> histograms;           // per model
  std::vector<std::array<double, kCurveCutoffs>> recall_sum, precision_sum;  // per model, k = 1..10
  explicit GroupAcc(size_t models = 0)
      : columns(models), histograms(models), recall_sum(models), precision_sum(models) {}
};

size_t bin_of(size_t files) { return std::min(files, kFilesHistogramBins - 1); }

// Ranks examples: most disagreement first, then by trace id.
bool ranks_before(const TraceExample& a, const TraceExample& b) {
  return a.disagreement != b.disagreement ? a.disagreement > b.disagreement : a.trace_id < b.trace_id;
}

class Scorer {
 public:
  Scorer(Store& store, const EvalScoreOptions& o, AnswerIndex reference, std::vector<AnswerIndex> models)
      : store_(store),
        o_(o),
        reference_(std::move(reference)),
        models_(std::move(models)),
        overall_(o.models.size()),
        paired_(o.models.size()),
        problems_(o.models.size()) {
    summary_.counts.resize(o.models.size());
  }

  // Notes the request kinds of the traces that production-key answers need (read before
  // scoring, so no store query runs while the trace scan is open).
  Result<void> note_kinds();
  void process(Row&& row);
  Result<EvalSummary> finish(std::string selection);

 private:
  bool count_unusable(size_t j, const AnswerLookup& got);
  void leave_out(const std::vector<AnswerLookup>& lookups);
  void note_example(const Row& row, const PickerCall& call, const StoredAnswer& ref,
                    const std::vector<const StoredAnswer*>& answers, const std::vector<double>& jac,
                    const std::unordered_set<std::string_view>* tree);
  GroupStats group_stats(const std::string& kind, const GroupAcc& acc) const;
  void add_warnings(EvalSummary& s) const;

  Store& store_;
  const EvalScoreOptions& o_;
  AnswerIndex reference_;
  std::vector<AnswerIndex> models_;
  EvalSummary summary_;
  GroupAcc overall_;
  std::map<std::string, GroupAcc> kinds_;
  std::vector<MetricColumns> paired_;
  std::vector<std::string> problems_;  // per model: first unreadable answer, for the warning
  std::string reference_problem_, trace_problem_;
  std::vector<TraceExample> examples_;  // heap: the one ranked last on top
  std::vector<std::string> scored_ids_;
  RankedHits scratch_;
};

// Counts why model j's answer cannot be scored; true when it can.
bool Scorer::count_unusable(size_t j, const AnswerLookup& got) {
  ModelCounts& c = summary_.counts[j];
  if (!got.ambiguous && got.answer && got.answer->problem.empty()) return true;
  if (got.ambiguous)
    ++c.ambiguous;
  else if (!got.answer)
    ++c.missing;
  else if (c.malformed++ == 0)
    problems_[j] = fmt::format("relabel {}: {}", got.answer->id, got.answer->problem);
  return false;
}

// A trace with a reference answer that some model did not answer usably: not scored for anyone.
void Scorer::leave_out(const std::vector<AnswerLookup>& lookups) {
  ++summary_.left_out;
  for (size_t j = 0; j < lookups.size(); ++j) count_unusable(j, lookups[j]);
}

Result<void> Scorer::note_kinds() {
  std::vector<RelabelJoin*> joins = {&reference_.join()};
  for (AnswerIndex& index : models_) joins.push_back(&index.join());
  return note_trace_kinds(store_, joins);
}

void Scorer::process(Row&& row) {
  auto parsed = parse_picker_call(row.payload);
  if (!parsed.ok()) {
    if (summary_.unreadable_traces++ == 0) trace_problem_ = fmt::format("trace {}: {}", row.id, parsed.error().message);
    return;
  }
  const PickerCall& call = *parsed;
  TraceKey key{row.id, row.agent_step_id, row.user_id, call.user_input_id, call.request_kind};
  AnswerLookup ref = reference_.find(key);
  if (ref.ambiguous) return void(++summary_.ambiguous_reference);
  if (!ref.answer) return void(++summary_.missing_reference);
  if (!ref.answer->problem.empty()) {
    if (summary_.malformed_reference++ == 0)
      reference_problem_ = fmt::format("relabel {}: {}", ref.answer->id, ref.answer->problem);
    return;
  }
  // Every model's answer first: by default a trace counts only when all of them answered it, so
  // each model's means are over the same traces (issue 17); --union keeps the old per-model sets.
  std::vector<AnswerLookup> lookups(models_.size());
  bool all = true;
  for (size_t j = 0; j < models_.size(); ++j) {
    lookups[j] = models_[j].find(key);
    all = all && !lookups[j].ambiguous && lookups[j].answer && lookups[j].answer->problem.empty();
  }
  if (!all && !o_.union_of_answers) return leave_out(lookups);
  ++summary_.scored;
  scored_ids_.push_back(row.id);
  std::string kind = call.request_kind == RequestKind::absent ? "(none)" : std::string(to_string(call.request_kind));
  GroupAcc& group = kinds_.try_emplace(kind, o_.models.size()).first->second;
  for (GroupAcc* g : {&overall_, &group}) {
    ++g->n;
    ++g->reference_histogram[bin_of(ref.answer->files.size())];
  }

  std::vector<std::string> tree_paths = extract_file_tree(system_text(call));
  std::unordered_set<std::string_view> tree(tree_paths.begin(), tree_paths.end());
  summary_.traces_with_tree += !tree.empty();
  std::vector<std::string_view> ref_lines = legacy_lines(ref.answer->text);

  std::vector<const StoredAnswer*> answers(models_.size(), nullptr);
  std::vector<TraceScores> scores(models_.size());
  std::vector<double> jac(models_.size(), std::nan(""));
  for (size_t j = 0; j < models_.size(); ++j) {
    const AnswerLookup& got = lookups[j];
    ModelCounts& c = summary_.counts[j];
    if (!count_unusable(j, got)) continue;
    ++c.answered;
    answers[j] = got.answer;
    const auto& files = got.answer->files;
    std::optional<size_t> hallucinated;
    if (!tree.empty())
      hallucinated = std::count_if(files.begin(), files.end(), [&](const std::string& p) { return !tree.count(p); });
    std::vector<std::string_view> lines = legacy_lines(got.answer->text);
    score_pair({files, ref.answer->files, lines, ref_lines, hallucinated}, scratch_, scores[j]);
    jac[j] = scores[j][kJaccard];
    match_paths(files, ref.answer->files, scratch_);
    for (GroupAcc* g : {&overall_, &group}) {
      g->columns[j].push(scores[j]);
      ++g->histograms[j][bin_of(files.size())];
      for (size_t k = 1; k <= kCurveCutoffs; ++k) {
        g->recall_sum[j][k - 1] += recall_at(scratch_, k);
        g->precision_sum[j][k - 1] += precision_at(scratch_, k);
      }
    }
  }
  if (all) {
    ++summary_.paired;
    for (size_t j = 0; j < models_.size(); ++j) paired_[j].push(scores[j]);
  }
  note_example(row, call, *ref.answer, answers, jac, tree.empty() ? nullptr : &tree);
}

void Scorer::note_example(const Row& row, const PickerCall& call, const StoredAnswer& ref,
                          const std::vector<const StoredAnswer*>& answers, const std::vector<double>& jac,
                          const std::unordered_set<std::string_view>* tree) {
  if (o_.examples == 0) return;
  double sum = 0;
  size_t n = 0;
  for (double j : jac)
    if (!std::isnan(j)) sum += j, ++n;
  if (n == 0) return;
  TraceExample e;
  e.disagreement = 1.0 - sum / static_cast<double>(n);
  e.trace_id = row.id;
  auto cmp = [](const TraceExample& a, const TraceExample& b) { return ranks_before(a, b); };
  if (examples_.size() >= o_.examples && !ranks_before(e, examples_.front())) return;
  e.agent_step_id = row.agent_step_id;
  e.kind = to_string(call.request_kind);
  e.created_at = format_rfc3339(row.created_at_us);
  e.request = utf8_prefix(request_from_prompt(last_user_text(call)), kRequestPreviewBytes);
  e.reference = ref.files;
  e.jaccard = jac;
  std::unordered_set<std::string_view> in_ref(ref.files.begin(), ref.files.end());
  for (const StoredAnswer* a : answers) {
    auto& picks = e.picks.emplace_back();
    if (!a) continue;
    for (const auto& p : a->files) picks.push_back({p, in_ref.count(p) > 0, tree && !tree->count(p)});
  }
  examples_.push_back(std::move(e));
  std::push_heap(examples_.begin(), examples_.end(), cmp);
  if (examples_.size() > o_.examples) {
    std::pop_heap(examples_.begin(), examples_.end(), cmp);
    examples_.pop_back();
  }
}

GroupStats Scorer::group_stats(const std::string& kind, const GroupAcc& acc) const {
  GroupStats g;
  g.kind = kind;
  g.n = acc.n;
  g.reference_histogram = acc.reference_histogram;
  for (size_t j = 0; j < o_.models.size(); ++j) {
    ModelStats& m = g.models.emplace_back();
    m.model = o_.models[j];
    m.n = acc.columns[j].size();
    m.files_histogram = acc.histograms[j];
    for (size_t k = 0; k < kCurveCutoffs; ++k) {
      const double n = static_cast<double>(m.n);
      m.recall_curve[k] = m.n ? acc.recall_sum[j][k] / n : std::nan("");
      m.precision_curve[k] = m.n ? acc.precision_sum[j][k] / n : std::nan("");
    }
  }
  return g;
}

void Scorer::add_warnings(EvalSummary& s) const {
  auto& w = s.warnings;
  if (s.missing_reference)
    w.push_back(
        fmt::format("{} of {} traces have no answer from the reference {} for their request kind; they are not scored",
                    s.missing_reference, s.traces, s.reference));
  if (s.malformed_reference)
    w.push_back(fmt::format("{} reference answers could not be read and their traces are not scored (first: {})",
                            s.malformed_reference, reference_problem_));
  if (s.ambiguous_reference)
    w.push_back(
        fmt::format("{} reference answers carry no request_type while their agent step has both Key and "
                    "Non-Obvious traces; those traces are not scored",
                    s.ambiguous_reference));
  if (s.unreadable_traces)
    w.push_back(fmt::format("{} trace payloads could not be read and are not scored (first: {})", s.unreadable_traces,
                            trace_problem_));
  if (s.left_out) {
    std::vector<std::string> why;
    for (const ModelCounts& c : s.counts) {
      std::vector<std::string> parts;
      if (c.missing) parts.push_back(fmt::format("{} unanswered", c.missing));
      if (c.malformed) parts.push_back(fmt::format("{} unreadable", c.malformed));
      if (c.ambiguous) parts.push_back(fmt::format("{} ambiguous", c.ambiguous));
      if (!parts.empty()) why.push_back(fmt::format("{}: {}", c.model, fmt::join(parts, ", ")));
    }
    w.push_back(fmt::format(
        "{} traces with a reference answer were left out because not every model answered them ({}); every model "
        "is scored on the same {} traces (--union scores each model on every trace it answered)",
        s.left_out, fmt::join(why, "; "), s.scored));
  }
  for (size_t j = 0; j < s.counts.size(); ++j) {
    const ModelCounts& c = s.counts[j];
    if (c.missing && !o_.union_of_answers) continue;  // covered by the left-out line
    if (c.missing)
      w.push_back(fmt::format("{}: no answer for {} of the {} scored traces; its figures cover the {} it answered",
                              c.model, c.missing, s.scored, c.answered));
    if (c.malformed)
      w.push_back(fmt::format("{}: {} answers could not be read and are not scored (first: {})", c.model, c.malformed,
                              problems_[j]));
    if (c.ambiguous)
      w.push_back(fmt::format("{}: {} answers carry no request_type while their agent step has both kinds; not scored",
                              c.model, c.ambiguous));
  }
  if (s.models.size() > 1 && s.paired < s.scored)
    w.push_back(fmt::format("paired comparisons use only the {} of {} scored traces that every model answered",
                            s.paired, s.scored));
}

Result<EvalSummary> Scorer::finish(std::string selection) {
  EvalSummary& s = summary_;
  s.reference = o_.reference;
  s.models = o_.models;
  s.selection = std::move(selection);
  s.bootstrap = o_.bootstrap;
  s.traces =
      s.scored + s.left_out + s.missing_reference + s.malformed_reference + s.ambiguous_reference + s.unreadable_traces;
  for (size_t j = 0; j < s.counts.size(); ++j) {
    s.counts[j].model = o_.models[j];
    s.counts[j].relabels = models_[j].size();
  }
  if (s.scored == 0 && s.left_out > 0) {
    add_warnings(s);
    return runtime_error(
        fmt::format("eval score: no selected trace was answered by every model ({}); score them "
                    "separately or pass --union",
                    s.warnings.front()));
  }
  if (s.scored == 0) {
    add_warnings(s);
    return runtime_error(
        fmt::format("eval score: none of the {} selected traces has a usable answer from the reference {}{}", s.traces,
                    s.reference, s.warnings.empty() ? "" : " (" + s.warnings.front() + ")"));
  }
  s.overall = group_stats("", overall_);
  for (const auto& [kind, acc] : kinds_) s.by_kind.push_back(group_stats(kind, acc));

  BootstrapJobs jobs;
  for (size_t j = 0; j < o_.models.size(); ++j) {
    jobs.add_columns(overall_.columns[j], "all/" + o_.models[j], s.overall.models[j].metrics);
    size_t k = 0;
    for (const auto& [kind, acc] : kinds_)
      jobs.add_columns(acc.columns[j], kind + "/" + o_.models[j], s.by_kind[k++].models[j].metrics);
  }
  for (size_t a = 0; a < o_.models.size(); ++a) {
    for (size_t b = a + 1; b < o_.models.size(); ++b) {
      PairStats& p = s.pairs.emplace_back();
      p.a = o_.models[a];
      p.b = o_.models[b];
      p.n = s.paired;
      p.metrics.resize(kPairMetrics.size());
    }
  }
  size_t pi = 0;
  for (size_t a = 0; a < o_.models.size(); ++a) {
    for (size_t b = a + 1; b < o_.models.size(); ++b, ++pi) {
      for (size_t m = 0; m < kPairMetrics.size(); ++m) {
        Metric metric = kPairMetrics[m];
        s.pairs[pi].metrics[m].metric = metric;
        jobs.add_pair(&paired_[a].values[metric], &paired_[b].values[metric],
                      fmt::format("pair/{}/{}/{}", o_.models[a], o_.models[b], metric_name(metric)),
                      &s.pairs[pi].metrics[m].result);
      }
    }
  }
  jobs.run(o_.bootstrap, o_.threads);
  std::sort_heap(examples_.begin(), examples_.end(), ranks_before);
  s.disagreements = std::move(examples_);
  add_warnings(s);
  std::sort(scored_ids_.begin(), scored_ids_.end());
  std::string joined;
  for (const std::string& id : scored_ids_) joined.append(id).push_back('\n');
  s.scored_digest = sha256_hex(joined);
  return std::move(s);
}

}  // namespace

// The ids `f` selects (students only: to count the traces they trained on).
Result<std::vector<std::string>> selected_ids(Store& store, const RowFilter& f) {
  std::vector<std::string> ids;
  PT_TRY(store.scan(Table::traces, f, [&](Row&& row) {
    ids.push_back(std::move(row.id));
    return true;
  }));
  return ids;
}

Result<EvalSummary> run_eval_score(Store& store, const EvalScoreOptions& given) {
  // Relabels are stored under canonical ids (`local:student@./a.model` is `local:student@/abs/a.model`).
  EvalScoreOptions options = given;
  for (auto& m : options.models) {
    PT_ASSIGN_OR_RETURN(m, canonical_model_id(m));
  }
  PT_ASSIGN_OR_RETURN(options.reference, canonical_model_id(options.reference));
  PT_TRY(validate(options));
  PT_TRY(check_models(store, options));
  PT_ASSIGN_OR_RETURN(CandidateProvenance provenance, load_candidate_provenance(options.models));
  EvalScoreOptions o = options;
  if (!o.newest && !o.since_us && !o.until_us) o.newest = default_newest(provenance);  // the held-out window
  RowFilter f;
  f.type = std::string(kGetRelevantFiles);
  f.since_us = o.since_us;
  f.until_us = o.until_us;
  f.order = RowFilter::Order::newest_first;
  PT_ASSIGN_OR_RETURN(int64_t total, store.count(Table::traces, f));
  if (total == 0)
    return runtime_error(
        fmt::format("eval score: no {} in {}", describe_selection(o, 0, std::nullopt), store.describe()));
  std::optional<int64_t> limit;
  if (o.newest) limit = newest_window_size(*o.newest, total);  // the same window as newest_window()
  f.limit = limit;
  std::vector<StudentTraining> students;
  if (!provenance.students.empty()) {
    PT_ASSIGN_OR_RETURN(auto ids, selected_ids(store, f));
    PT_ASSIGN_OR_RETURN(students, check_training_overlap(provenance, ids, o.allow_training_overlap, "eval score"));
  }
  // Only the relabels that may join the scored traces are read (BigQuery narrows in the query job).
  PT_ASSIGN_OR_RETURN(AnswerIndex reference, AnswerIndex::load(store, o.reference, &f));
  std::vector<AnswerIndex> models;
  for (const auto& m : o.models) {
    PT_ASSIGN_OR_RETURN(AnswerIndex index, AnswerIndex::load(store, m, &f));
    models.push_back(std::move(index));
  }
  Scorer scorer(store, o, std::move(reference), std::move(models));
  PT_TRY(scorer.note_kinds());
  PT_TRY(store.scan(Table::traces, f, [&](Row&& row) {
    scorer.process(std::move(row));
    return true;
  }));
  PT_ASSIGN_OR_RETURN(EvalSummary summary, scorer.finish(describe_selection(o, total, limit)));
  for (const auto& line : in_sample_lines(students)) summary.warnings.push_back(line);
  for (const auto& m : provenance.unknown)
    summary.warnings.push_back(fmt::format(
        "{}: the model file records no training provenance (trained before picktune recorded it); whether it "
        "trained on the scored traces is unknown",
        m));
  for (const auto& s : students) summary.in_sample = summary.in_sample || s.in_sample > 0;
  summary.students = std::move(students);
  if (o.diagnostics)
    for (const std::string& w : summary.warnings) o.diagnostics->warn("eval/score", w);
  if (o.save_run) {
    EvalRunWindow window{o.newest, o.since_us, o.until_us, "", o.union_of_answers};
    auto saved = save_eval_run(store, make_eval_run(summary, window, o.picktune_version));
    if (saved.ok())
      summary.run_id = *saved;
    else if (o.diagnostics)
      o.diagnostics->warn("eval/score", "this run was not saved: " + saved.error().message);
  }
  return summary;
}

}  // namespace pt
