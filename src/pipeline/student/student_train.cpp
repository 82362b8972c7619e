// Implementation of pipeline/student/student_train.h: two streaming passes over the traces, oldest first
// (count the joined ones, then feed the trainer / keep the held-out ones), fit, evaluate, write.
#include "pipeline/student/student_train.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "core/file_list.h"
#include "core/file_tree.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "core/row.h"
#include "pipeline/join/teacher_answers.h"
#include "pipeline/registry/recipe_loader.h"
#include "providers/model.h"
#include "ranker/student.h"
#include "ranker/student_format.h"
#include "ranker/tree_contents.h"
#include "store/newest_window.h"
#include "util/atomic_file.h"
#include "util/ordered_pool.h"
#include "util/time.h"

namespace pt {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct HeldOut {
  PickerCall call;
  std::vector<std::string> targets;
};

// The get-relevant-files traces of the configured time range (all of them by default).
RowFilter trace_range(const StudentTrainConfig& c) {
  RowFilter filter;
  filter.type = std::string(kGetRelevantFiles);
  filter.since_us = c.since_us;
  filter.until_us = c.until_us;
  return filter;
}

Result<void> scan_traces(Store& store, const StudentTrainConfig& c, const std::function<void(Row&&)>& visit) {
  RowFilter filter = trace_range(c);
  filter.order = RowFilter::Order::oldest_first;
  return store.scan(Table::traces, filter, [&](Row&& row) {
    visit(std::move(row));
    return true;
  });
}

Result<void> check_config(const StudentTrainConfig& c) {
  if (c.teacher.empty()) return usage_error("--teacher: a relabel model id (or truth) is required");
  if (c.output.empty()) return usage_error("-o: the model file to write is required");
  if (!(c.holdout_newest >= 0 && c.holdout_newest < 1))
    return usage_error(fmt::format("--holdout-newest: expected 0 <= F < 1, not {}", c.holdout_newest));
  if (c.threads < 0 || c.threads > 256)
    return usage_error(fmt::format("--threads: expected 0 (every core) .. 256, not {}", c.threads));
  if (c.top_k && (*c.top_k < 1 || *c.top_k > 30))
    return usage_error(fmt::format("--top-k: expected 1..30, not {}", *c.top_k));
  return ok();
}

ModelMetrics summarize(const std::vector<std::array<double, 4>>& per_trace, std::string_view series) {
  ModelMetrics m;
  MeanCI* slots[] = {&m.recall5, &m.mrr, &m.jaccard, &m.files};
  const char* names[] = {"recall@5", "mrr", "jaccard", "files"};
  for (size_t k = 0; k < 4; ++k) {
    std::vector<double> v;
    for (const auto& t : per_trace) v.push_back(t[k]);
    BootstrapOptions o;
    o.seed = series_seed(o.seed, fmt::format("{}/{}", series, names[k]));
    *slots[k] = bootstrap_mean(v, o);
  }
  return m;
}

std::array<double, 4> trace_metrics(const std::vector<std::string>& answer, const std::vector<std::string>& targets,
                                    RankedHits& h) {
  match_paths(answer, targets, h);
  return {recall_at(h, 5), reciprocal_rank(h), jaccard(h), static_cast<double>(answer.size())};
}

// local:bm25-content's answer to a held-out call (as the provider answers it).
std::vector<std::string> bm25_content_answer(const ranker::RepoContents& repo, const PickerCall& call) {
  std::vector<std::string> paths = extract_file_tree(system_text(call));
  std::string prompt = last_user_text(call);
  const int limit = std::max(1, selection_limit(prompt).value_or(10));
  auto tree = repo.parent_tree(call.user_input_id);
  std::vector<std::string> out;
  for (const auto& s : ranker::bm25_content_rank(repo, tree.get(), paths, request_from_prompt(prompt))) {
    if (static_cast<int>(out.size()) >= limit) break;
    out.push_back(paths[s.index]);
  }
  return out;
}

// Per held-out trace: recall@5, MRR, Jaccard and answer length of each model.
struct HeldOutScores {
  std::vector<std::array<double, 4>> student, bm25, bm25_content;
};

// Scores the student and local:bm25 (and local:bm25-content when the model has the repository's
// contents) on held-out traces, appending to `out`; trace i is worked on by thread i % threads
// into its own slot, so the metrics do not depend on the thread count.
Result<void> evaluate(const ranker::StudentModel& model, const std::vector<HeldOut>& held, int threads,
                      HeldOutScores& out) {
  const ranker::RepoContents* repo = model.contents.get();
  if (held.empty()) return ok();
  const size_t n_threads = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), held.size());
  std::vector<std::array<double, 4>> s(held.size()), b(held.size()), bc(repo ? held.size() : 0);
  std::vector<Result<void>> status(n_threads, ok());
  auto work = [&](size_t t) {
    auto bm25 = make_local_model("local:bm25");
    if (!bm25.ok()) {
      status[t] = bm25.error();
      return;
    }
    RankedHits h;
    for (size_t i = t; i < held.size(); i += n_threads) {
      s[i] = trace_metrics(model.rank(held[i].call, 0), held[i].targets, h);
      TeacherInput in{&held[i].call, ""};
      auto c = (*bm25)->answer(in);
      if (!c.ok()) {
        status[t] = c.error();
        return;
      }
      b[i] = trace_metrics(parse_file_list(c->text), held[i].targets, h);
      if (repo) bc[i] = trace_metrics(bm25_content_answer(*repo, held[i].call), held[i].targets, h);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n_threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (auto& st : status) PT_TRY(std::move(st));
  out.student.insert(out.student.end(), s.begin(), s.end());
  out.bm25.insert(out.bm25.end(), b.begin(), b.end());
  out.bm25_content.insert(out.bm25_content.end(), bc.begin(), bc.end());
  return ok();
}

void summarize_held_out(const HeldOutScores& scores, bool with_contents, StudentTrainReport& r) {
  if (scores.student.empty()) return;
  r.student = summarize(scores.student, "student");
  r.bm25 = summarize(scores.bm25, "local:bm25");
  if (with_contents) r.bm25_content = summarize(scores.bm25_content, "local:bm25-content");
}

}  // namespace

StudentExample join_student_example(const TeacherAnswers& answers, const Recipe& recipe, const Row& row) {
  StudentExample j;
  auto drop = [&j](const char* reason) {
    j.dropped = reason;
    return std::move(j);
  };
  auto call = parse_picker_call(row.payload);
  if (!call.ok()) return drop("unparseable_payload");
  const bool kind_ok = std::find(recipe.request_kinds.begin(), recipe.request_kinds.end(), call->request_kind) !=
                       recipe.request_kinds.end();
  if (!kind_ok) return drop(call->request_kind == RequestKind::absent ? "no_request_type" : "kind_filtered");
  TraceKey key{row.id, row.agent_step_id, row.user_id, call->user_input_id, call->request_kind};
  JoinResult found = answers.join.find(key, recipe.with_file_context);
  if (found.outcome == JoinOutcome::no_relabel) return drop("no_relabel");
  if (found.outcome == JoinOutcome::context_mismatch) return drop("relabel_context_mismatch");
  if (found.outcome == JoinOutcome::ambiguous) return drop("ambiguous_relabel");
  if (!answers.readable[found.slot]) return drop("relabel_unreadable");
  j.relabel_id = answers.join.relabel_id(found.slot);
  j.targets = parse_file_list(answers.outputs[found.slot]);
  if (recipe.top_k && j.targets.size() > static_cast<size_t>(*recipe.top_k))
    j.targets.resize(static_cast<size_t>(*recipe.top_k));
  if (j.targets.empty()) return drop("empty_answer");
  j.call = std::move(call).value();
  return j;
}

namespace {

// What training carries from one store to the next.
struct TrainRun {
  const StudentTrainConfig& config;
  Recipe recipe;
  ranker::StudentTrainOptions options;
  ranker::StudentTrainer trainer;
  ranker::TrainingProvenance provenance;
  StudentTrainReport r;
  std::function<void(const std::string&)> say;
  bool several = false;  // more than one store: progress lines name the store
};

// One store's traces: its own held-out window (store/newest_window.h, the one `eval --newest F`
// takes), its own fit and tune split, fed to the trainer as one history. Held-out traces go to
// `held` (never trained on).
Result<void> train_on_store(TrainRun& run, const StudentTrainSource& source, std::vector<HeldOut>& held,
                            std::shared_ptr<const ranker::RepoContents>& contents) {
  const StudentTrainConfig& config = run.config;
  Store& store = *source.store;
  StudentTrainReport& r = run.r;
  StudentStoreCounts n;
  n.store = store.describe();
  std::string bad;
  PT_ASSIGN_OR_RETURN(auto answers,
                      TeacherAnswers::load(store, config.teacher, {}, [&](const std::string& id, const std::string& e) {
                        if (bad.empty()) bad = fmt::format("relabel {}: {}", id, e);
                        ++r.dropped["unparseable_relabel_payload"];
                      }));
  if (answers.read == answers.unreadable)
    return runtime_error(fmt::format(
        "no relabels by teacher \"{}\" in {} (import git for `truth`, or run `picktune relabel --teacher {}`)",
        config.teacher, n.store, config.teacher));
  auto join = [&](const Row& row) { return join_student_example(answers, run.recipe, row); };

  // The held-out window is the one `eval relabel/score --newest F` take (store/newest_window.h):
  // the newest ceil(F x N) get-relevant-files traces, joined or not; training uses the joined rest.
  PT_ASSIGN_OR_RETURN(NewestWindow window, newest_window(store, trace_range(config), config.holdout_newest));
  const std::unordered_set<std::string> window_ids(window.ids.begin(), window.ids.end());

  // Pass 1: how many traces join, on each side of the time split.
  PT_TRY(scan_traces(store, config, [&](Row&& row) {
    ++n.traces_read;
    StudentExample j = join(row);
    if (j.dropped) {
      ++r.dropped[j.dropped];
    } else {
      ++n.joined;
      if (window_ids.count(row.id)) ++n.holdout;
    }
  }));
  if (n.joined == 0)
    return runtime_error(
        fmt::format("no trace joins a relabel by \"{}\" in {} (see the dropped counts: {} traces read)", config.teacher,
                    n.store, n.traces_read));
  const int64_t train = n.joined - n.holdout;
  if (train < 10)
    return runtime_error(fmt::format("{}: only {} training traces after holding out the newest {}: need at least 10",
                                     n.store, train, n.holdout));
  n.tune = train >= 50 ? static_cast<int64_t>(std::floor(config.tune_fraction * static_cast<double>(train))) : 0;
  n.train = train - n.tune;
  run.say(fmt::format("{}training on {} traces ({} fit, {} tune), holding out the newest {}",
                      run.several ? n.store + ": " : "", train, n.train, n.tune, n.holdout));

  // Pass 2: features (statistics of strictly earlier traces of this store), held-out traces kept aside.
  if (!source.repo.empty()) {
    auto tc = Clock::now();
    PT_ASSIGN_OR_RETURN(auto loaded, ranker::RepoContents::load_git(source.repo));
    contents = std::move(loaded);
    const double seconds = seconds_since(tc);
    r.seconds_contents += seconds;
    run.say(fmt::format("read {} commits and {} blobs of {} in {:.1f} s", contents->commits(), contents->blobs(),
                        source.repo, seconds));
  }
  ranker::StudentTrainer& trainer = run.trainer;
  std::optional<int64_t> cutoff_us;
  int64_t i = 0;
  auto t0 = Clock::now();
  // Workers parse and join batches of rows and build their trace views; this thread adds them to
  // the trainer in time order (each trace's features need the statistics of every earlier one).
  // Traces of the held-out window (store/newest_window.h) are kept aside, never trained on.
  struct Parsed {
    Row row;
    bool held_out = false;
    StudentExample joined;
    ranker::TraceView view;
  };
  using Batch = std::vector<Parsed>;
  const int threads = run.options.gbdt.threads;
  const unsigned workers = threads > 1 ? static_cast<unsigned>(threads - 1) : 0;
  OrderedPool<Batch> pool(workers, [&](Batch& batch, unsigned) {
    for (Parsed& p : batch) {
      p.joined = join(p.row);
      if (!p.joined.dropped && !p.held_out) {
        p.view = ranker::make_trace_view(p.joined.call);
        if (contents) p.view.tree = contents->parent_tree(p.view.commit);
      }
      p.row.payload.clear();
    }
  });
  auto apply = [&](Batch& batch) {
    for (Parsed& p : batch) {
      StudentExample& j = p.joined;
      if (p.held_out) {
        if (!cutoff_us || p.row.created_at_us < *cutoff_us) cutoff_us = p.row.created_at_us;
        if (!j.dropped) held.push_back({std::move(j.call), std::move(j.targets)});
        continue;
      }
      if (j.dropped || i >= train) continue;
      trainer.add(std::move(p.view), std::move(j.targets), i >= n.train);
      run.provenance.trace_ids.push_back(p.row.id);
      ++i;
    }
  };
  auto drain = [&](bool all) {
    const size_t keep = all ? 0 : 4 * size_t{std::max(1u, workers)};
    while (pool.in_flight() > keep)
      if (auto done = pool.pop_oldest(true)) apply(*done);
  };
  Batch batch;
  int64_t scanned = 0;
  PT_TRY(scan_traces(store, config, [&](Row&& row) {
    const bool held_out = window_ids.count(row.id) > 0;
    if (config.feature_progress) config.feature_progress->update(++scanned, n.traces_read);
    batch.push_back({std::move(row), held_out, {}, {}});
    if (batch.size() == 32) {
      pool.submit(std::move(batch));
      batch.clear();
      drain(false);
    }
  }));
  if (!batch.empty()) pool.submit(std::move(batch));
  drain(true);
  if (config.feature_progress) config.feature_progress->finish(scanned);
  r.seconds_features += seconds_since(t0);
  ranker::StoreProvenance sp;
  sp.store = n.store;
  sp.holdout_newest = config.holdout_newest;
  sp.cutoff = cutoff_us ? format_rfc3339(*cutoff_us) : "";
  sp.traces_total = window.total;
  sp.train_traces = i;
  sp.holdout_traces = static_cast<int64_t>(window.ids.size());
  run.provenance.stores.push_back(std::move(sp));
  r.traces_read += n.traces_read;
  r.joined += n.joined;
  r.holdout += n.holdout;
  r.tune += n.tune;
  r.train += n.train;
  r.stores.push_back(std::move(n));
  return ok();
}

// The stores' provenance entries summed up into the top-level fields.
void sum_store_provenance(ranker::TrainingProvenance& p) {
  for (size_t k = 0; k < p.stores.size(); ++k) {
    const ranker::StoreProvenance& s = p.stores[k];
    const char* sep = k ? " + " : "";
    p.store += sep + s.store;
    p.cutoff += (k ? sep : "") + s.cutoff;
    p.traces_total += s.traces_total;
    p.holdout_traces += s.holdout_traces;
  }
  p.train_traces = static_cast<int64_t>(p.trace_ids.size());
}

}  // namespace

Result<StudentTrainReport> student_train(Store& store, const StudentTrainConfig& config) {
  return student_train(std::vector<StudentTrainSource>{{&store, config.repo}}, config);
}

Result<StudentTrainReport> student_train(const std::vector<StudentTrainSource>& sources,
                                         const StudentTrainConfig& config) {
  PT_TRY(check_config(config));
  if (sources.empty()) return usage_error("student train: no store to train on");
  const bool with_repos = !sources.front().repo.empty();
  for (const auto& s : sources)
    if (s.repo.empty() == with_repos)
      return usage_error("--repo: give one repository per store, or none (content features need every store's)");
  ranker::StudentTrainOptions options;
  options.gbdt.seed = config.seed;
  options.gbdt.threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (config.hyper_search) options.grid = ranker::default_hyper_grid(options.gbdt);
  // A general model answers every repository as a cold start, so it is trained as it answers: no
  // history statistics (on the express history, none of whose traces it saw, recall@5 0.68 vs
  // 0.66 when trained with each store's statistics; bench/NOTES.md, "A general student").
  options.no_history = sources.size() > 1;
  TrainRun run{config,
               config.recipe,
               options,
               ranker::StudentTrainer(options),
               {},
               {},
               [&](const std::string& line) {
                 if (config.progress) config.progress(line);
               },
               sources.size() > 1};
  if (config.recipe_id) {
    std::string path = config.registry_path.empty() ? default_registry_path() : config.registry_path;
    PT_ASSIGN_OR_RETURN(run.recipe, load_recipe(path, *config.recipe_id));
  }
  StudentTrainReport& r = run.r;
  r.teacher = config.teacher;
  r.output = config.output;
  std::vector<std::vector<HeldOut>> held(sources.size());
  std::vector<std::shared_ptr<const ranker::RepoContents>> contents(sources.size());
  for (size_t k = 0; k < sources.size(); ++k) {
    if (k > 0) run.trainer.begin_history();  // features never mix two repositories' histories
    PT_TRY(train_on_store(run, sources[k], held[k], contents[k]));
  }
  auto t1 = Clock::now();
  ranker::StudentMeta meta;
  meta.teacher = config.teacher;
  meta.trained_at = format_rfc3339(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  auto model = run.trainer.finish(meta, &r.summary, config.fit_progress);
  if (sources.size() > 1) {
    // A general model: no one repository's history is its own, so it carries none and answers
    // every repository as a cold start (local:student@FILE, or ?history=none on any model).
    model->drop_history();  // (empty already: trained with options.no_history)
  }
  if (config.top_k) model->calibration = ranker::Calibration{*config.top_k, std::numeric_limits<double>::infinity()};
  r.seconds_fit = seconds_since(t1);
  size_t n_held = 0;
  for (const auto& h : held) n_held += h.size();
  run.say(fmt::format("fitted {} trees in {:.1f} s; evaluating on {} held-out traces", model->ensemble.trees.size(),
                      r.seconds_fit, n_held));
  HeldOutScores scores;
  for (size_t k = 0; k < sources.size(); ++k) {
    model->contents = contents[k];  // each store's held-out traces with its own repository
    PT_TRY(evaluate(*model, held[k], options.gbdt.threads, scores));
  }
  model->contents.reset();
  summarize_held_out(scores, with_repos, r);
  ranker::TrainingProvenance& provenance = run.provenance;
  provenance.teacher = config.teacher;
  provenance.holdout_newest = config.holdout_newest;
  sum_store_provenance(provenance);
  provenance.hyper_trials = r.summary.trials;
  provenance.hyper_chosen = r.summary.chosen;
  provenance.hyper_valid_traces = static_cast<int64_t>(r.summary.tune_traces);
  PT_TRY(write_file_atomic(config.output, ranker::add_training_provenance(model->serialize(), provenance)));
  return r;
}

}  // namespace pt
