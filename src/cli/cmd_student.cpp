// CLI: student train --teacher M|truth [--recipe ID] [--kinds K,..] [--holdout-newest F] [--seed S]
// [--threads N] [--top-k K] [--from STORE]... [--repo DIR_OR_BUNDLE]... [--no-hyper-search] -o MODEL_FILE;
// student register NAME FILE [--replace]. (Flags are parsed here; the work is done in pipeline/student_train and
// providers/student_names.)
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "pipeline/student/student_train.h"
#include "providers/student_names.h"
#include "report/student_summary.h"
#include "util/progress.h"
#include "util/time.h"

namespace pt::cli {
namespace {

// --from STORE... (read only: training never writes a store), else the global --store.
Result<std::vector<std::unique_ptr<Store>>> open_training_stores(const Context& ctx,
                                                                 const std::vector<std::string>& from) {
  std::vector<std::unique_ptr<Store>> stores;
  if (from.empty()) {
    PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
    stores.push_back(std::move(store));
  }
  for (size_t k = 0; k < from.size(); ++k) {
    const std::string& uri = from[k];
    if (uri.empty()) return usage_error("--from: the store is empty (expected a store URI such as sqlite:PATH)");
    if (std::find(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(k), uri) !=
        from.begin() + static_cast<std::ptrdiff_t>(k))
      return usage_error(fmt::format("--from: {} is given twice (each store is one repository's history)", uri));
    StoreOptions o = ctx.read_store_options();
    o.uri = uri;
    PT_ASSIGN_OR_RETURN(auto store, open_store(o));
    stores.push_back(std::move(store));
  }
  return stores;
}

// Each store with its --repo (none, or one per store in order).
Result<std::vector<StudentTrainSource>> training_sources(const std::vector<std::unique_ptr<Store>>& stores,
                                                         const std::vector<std::string>& repos) {
  if (!repos.empty() && repos.size() != stores.size())
    return usage_error(fmt::format("--repo: give one per store, in the --from order ({} given for {} stores)",
                                   repos.size(), stores.size()));
  std::vector<StudentTrainSource> sources;
  for (size_t k = 0; k < stores.size(); ++k) sources.push_back({stores[k].get(), repos.empty() ? "" : repos[k]});
  return sources;
}

}  // namespace

void register_student_commands(CLI::App& app, Context& ctx) {
  struct Flags {
    StudentTrainConfig config;
    std::string recipe, kinds, since, until;
    std::vector<std::string> from, repos;
    int top_k = 0;
  };
  auto flags = std::make_shared<Flags>();
  auto* student = app.add_subcommand("student", "the local student ranker (local:student@MODEL_FILE)");
  student->require_subcommand(1);
  auto* train = student->add_subcommand("train", "train the student from a teacher's relabels (or git truth)");
  auto& c = flags->config;
  train->add_option("--teacher", c.teacher, "relabel model id whose answers are the targets, or truth")->required();
  train->add_option("--recipe", flags->recipe, "take request kinds / top-k / with-context from this registry entry");
  train->add_option("--kinds", flags->kinds, "request kinds to train on (default Key,Non-Obvious)");
  add_window_flags(train, flags->since, flags->until, "train on traces");
  train->add_option("--holdout-newest", c.holdout_newest, "hold out the newest fraction F of traces for validation")
      ->capture_default_str();
  train->add_option("--seed", c.seed, "random seed (same data + seed = same model)")->capture_default_str();
  train->add_option("--threads", c.threads, "training threads, 0 = every core (the model does not depend on it)")
      ->capture_default_str();
  train->add_option("--top-k", flags->top_k, "answer with exactly K files instead of the calibrated count");
  train->add_option("--from", flags->from,
                    "train on this store instead of --store; repeat it to train one general model on several "
                    "repositories' histories (each store keeps its own statistics and held-out window)");
  train->add_option("--repo", flags->repos,
                    "repository or bundle of the traces' commits: content features and the local:bm25-content "
                    "baseline (with several --from: one per store, in the same order)");
  train->add_flag("!--no-hyper-search", c.hyper_search,
                  "keep the default learner settings instead of choosing them on the tune traces");
  train->add_option("-o,--output", c.output, "model file to write")->required();
  train->callback([flags, train, &ctx] {
    ctx.action = [flags, train, &ctx]() -> Result<void> {
      StudentTrainConfig config = flags->config;
      if (train->count("--recipe")) config.recipe_id = flags->recipe;
      if (train->count("--kinds")) {
        PT_ASSIGN_OR_RETURN(config.recipe.request_kinds, parse_request_kinds(flags->kinds, "--kinds"));
      }
      if (train->count("--top-k")) config.top_k = flags->top_k;
      PT_ASSIGN_OR_RETURN(config.since_us, parse_time_filter("--since", flags->since));
      PT_ASSIGN_OR_RETURN(config.until_us, parse_time_filter("--until", flags->until));
      config.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
      PT_ASSIGN_OR_RETURN(auto stores, open_training_stores(ctx, flags->from));
      PT_ASSIGN_OR_RETURN(auto sources, training_sources(stores, flags->repos));
      ProgressPrinter progress(stderr, "student train: features", "traces", is_terminal(stderr));
      config.feature_progress = &progress;
      ProgressPrinter fit_progress(stderr, "student train: fit", "trees built", is_terminal(stderr));
      config.fit_progress = &fit_progress;
      PT_ASSIGN_OR_RETURN(StudentTrainReport report, student_train(sources, config));
      std::fputs(format_student_train_report(report).c_str(), stdout);
      return ok();
    };
  });
  struct RegisterFlags {
    std::string name, file;
    bool replace = false;
  };
  auto reg = std::make_shared<RegisterFlags>();
  auto* registration =
      student->add_subcommand("register", "name a student model file: local:student@NAME then answers with it");
  registration->add_option("NAME", reg->name, "the name ([A-Za-z0-9._-])")->required();
  registration->add_option("FILE", reg->file, "a model file written by `student train`")->required();
  registration->add_flag("--replace", reg->replace, "point an existing name at another file");
  registration->callback([reg, &ctx] {
    ctx.action = [reg]() -> Result<void> {
      std::string names = student_names_path();
      PT_ASSIGN_OR_RETURN(StudentRegistration r, register_student_name(names, reg->name, reg->file, reg->replace));
      std::fputs(format_student_registration(r, names).c_str(), stdout);
      return ok();
    };
  });
}

}  // namespace pt::cli
