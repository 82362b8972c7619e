// What every command file of the CLI shares: the global flags (SPEC §9) and one registration
// function per command group. A command's CLI11 callback only parses flags and stores an
// `action`; main() runs it and turns its Result into a message and an exit code.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "store/store.h"
#include "util/result.h"

namespace pt::cli {

struct Context {
  std::string store_uri;    // --store
  std::string env = "dev";  // --env
  bool prod = false;        // --prod
  std::function<Result<void>()> action;

  StoreOptions store_options() const { return StoreOptions{store_uri, prod ? "prod" : env}; }
};

void register_store_commands(CLI::App& app, Context& ctx);       // init, export, traces, relabels
void register_import_jsonl(CLI::App& import_cmd, Context& ctx);  // import jsonl
void register_import_git(CLI::App& import_cmd, Context& ctx);    // import git
void register_relabel_commands(CLI::App& app, Context& ctx);     // relabel
void register_collect_commands(CLI::App& app, Context& ctx);     // collect
void register_tokens_command(CLI::App& app, Context& ctx);       // tokens
void register_eval_commands(CLI::App& app, Context& ctx);        // eval relabel | score
void register_student_commands(CLI::App& app, Context& ctx);     // student train
void register_finetune_commands(CLI::App& app, Context& ctx);    // finetunes, tune
void register_quickstart_command(CLI::App& app, Context& ctx);   // quickstart
void register_serve_command(CLI::App& app, Context& ctx);        // serve

}  // namespace pt::cli
