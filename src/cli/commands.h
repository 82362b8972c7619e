// What every command file of the CLI shares: the global flags (docs/formats.md#cli-contract) and one registration
// function per command group. A command's CLI11 callback only parses flags and stores an
// `action`; main() runs it and turns its Result into a message and an exit code.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "store/store.h"
#include "util/diagnostics.h"
#include "util/result.h"

namespace pt::cli {

// How a diagnostic reaches the terminal (stderr): "picktune: warning: MESSAGE" for a warning,
// "AREA: MESSAGE" for a note (AREA from its code, e.g. "relabel: batch ...").
void print_diagnostic(const Diagnostic& d);

struct Context {
  std::string store_uri;    // --store
  std::string env = "dev";  // --env
  bool prod = false;        // --prod
  std::function<Result<void>()> action;
  std::string command_line;                   // argv as typed (shell-quoted where needed), for the report's provenance
  Diagnostics diagnostics{print_diagnostic};  // what the pipeline reports besides results

  StoreOptions store_options() const { return StoreOptions{store_uri, prod ? "prod" : env}; }
  // For commands that only read: a missing store is an error, a read-only one is readable.
  StoreOptions read_store_options() const { return StoreOptions{store_uri, prod ? "prod" : env, true}; }
};

// --since/--until, the created_at window of every command that selects rows by time (parsed by
// util/time's parse_time_filter). `rows` names what is selected ("traces", "rows").
template <class Text>
void add_window_flags(CLI::App* cmd, Text& since, Text& until, const std::string& rows = "traces") {
  cmd->add_option("--since", since, rows + " created at or after D (RFC 3339 or YYYY-MM-DD, UTC)");
  cmd->add_option("--until", until, rows + " created before D (exclusive)");
}

// --registry: the finetune registry file (unset: data/finetunes.json, or env PICKTUNE_REGISTRY).
inline CLI::Option* add_registry_flag(CLI::App* cmd, std::string& path) {
  return cmd->add_option("--registry", path,
                         "finetune registry file (default data/finetunes.json, env PICKTUNE_REGISTRY)");
}

// --base-url and --price-as, and --progress: the flags of every command that calls teachers or
// candidate models over the network (`relabel`, `eval relabel`).
inline void add_remote_call_flags(CLI::App* cmd, std::string& base_url, std::string& price_as, std::string& progress) {
  cmd->add_option("--base-url", base_url, "provider base URL (default: the provider's env var, then its public URL)");
  cmd->add_option("--price-as", price_as, "price calls as this price-table key (e.g. free)");
  cmd->add_option("--progress", progress, "auto, bar, plain or none")
      ->check(CLI::IsMember({"auto", "bar", "plain", "none"}));
}

// `--limit`-style counts: a whole number, 0 or more ("-1" is refused with one plain line).
inline CLI::Validator non_negative_count() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        size_t used = 0;
        long long v = 0;
        try {
          v = std::stoll(text, &used);
        } catch (...) {
          return "must be a whole number, 0 or more, not " + text;
        }
        if (used != text.size() || v < 0) return "must be a whole number, 0 or more, not " + text;
        return {};
      },
      "N>=0");
}

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
void register_pick_command(CLI::App& app, Context& ctx);         // pick
void register_status_commands(CLI::App& app, Context& ctx);      // status, prune

}  // namespace pt::cli
