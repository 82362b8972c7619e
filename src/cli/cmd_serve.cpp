// CLI: `serve [--listen HOST:PORT] [--anthropic-upstream URL] [--openai-upstream URL]
// [--gemini-upstream URL] [--auth-token T] [--max-body BYTES] [--spool DIR] [--shadow MODEL_ID]…
// [--registry FILE]`.
// Flags only; the server lives in src/server. SIGTERM/SIGINT stop it and drain the capture queue.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "server/server.h"

namespace pt::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8788";
  server::ServeOptions options;
  std::string max_body = "32MB";
};

Result<int64_t> parse_size(const std::string& text) {
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (...) {
    return usage_error("--max-body " + text + ": expected a size like 32MB");
  }
  std::string unit = text.substr(used);
  int64_t mul = unit.empty() || unit == "B" ? 1
                : unit == "KB"              ? 1ll << 10
                : unit == "MB"              ? 1ll << 20
                : unit == "GB"              ? 1ll << 30
                                            : 0;
  if (mul == 0 || n <= 0) return usage_error("--max-body " + text + ": expected a size like 32MB");
  return n * mul;
}

Result<void> run_serve(ServeFlags flags, const Context& ctx) {
  server::ServeOptions opt = flags.options;
  PT_TRY(server::parse_listen(flags.listen, opt));
  PT_ASSIGN_OR_RETURN(opt.max_body, parse_size(flags.max_body));
  // Signals go to the watcher thread only: block them before any server thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  PT_ASSIGN_OR_RETURN(auto store, open_store(ctx.store_options()));
  PT_TRY(store->init());
  PT_ASSIGN_OR_RETURN(auto srv, server::Server::start(*store, opt));
  std::fprintf(stderr, "picktune serve: listening on http://%s:%d (store %s, spool %s)\n", opt.host.c_str(),
               srv->port(), store->describe().c_str(), opt.spool_dir.c_str());
  std::atomic<bool> finished{false};
  std::thread watcher([&srv, &finished, set] {
    int sig = 0;
    sigwait(&set, &sig);
    if (finished) return;  // woken by the main thread after the server stopped
    std::fprintf(stderr, "picktune serve: stopping (signal %d), draining the capture queue\n", sig);
    srv->stop_accepting();
  });
  srv->run();
  finished = true;
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  srv->stop();  // lets running requests end, then commits every queued trace
  std::fprintf(stderr, "picktune serve: stopped; %lld rows written\n", static_cast<long long>(srv->queue().written()));
  return ok();
}

}  // namespace

void register_serve_command(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ServeFlags>();
  auto& o = flags->options;
  auto* cmd = app.add_subcommand("serve", "capture proxy for Anthropic/OpenAI/Gemini calls; serves local models");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on")->capture_default_str();
  cmd->add_option("--anthropic-upstream", o.anthropic_upstream, "where Anthropic calls go")->capture_default_str();
  cmd->add_option("--openai-upstream", o.openai_upstream, "where OpenAI calls go")->capture_default_str();
  cmd->add_option("--gemini-upstream", o.gemini_upstream, "where Gemini calls go")->capture_default_str();
  cmd->add_option("--auth-token", o.auth_token,
                  "callers must send it in X-Picktune-Token (needed beyond loopback); a browser opens a page once "
                  "with ?token=T and keeps an HttpOnly cookie");
  cmd->add_option("--max-body", flags->max_body, "larger request bodies get 413")->capture_default_str();
  cmd->add_option("--spool", o.spool_dir, "directory of the on-disk trace spool")->capture_default_str();
  cmd->add_option("--upstream-timeout-ms", o.upstream_timeout_ms, "per upstream call")->capture_default_str();
  cmd->add_option("--threads", o.threads, "connection threads")->capture_default_str();
  cmd->add_option("--shadow", o.shadow,
                  "local model (local:bm25, local:student@NAME) answering every captured call too, stored as its "
                  "relabels (repeatable)");
  cmd->add_option("--registry", o.registry_path,
                  "finetune registry the pages show, and registry ids of the pages' relabel cost resolve in "
                  "(default data/finetunes.json, env PICKTUNE_REGISTRY)");
  cmd->add_flag("!--no-access-log", o.access_log, "no per-request log lines");
  cmd->callback([flags, &ctx] { ctx.action = [flags, &ctx] { return run_serve(*flags, ctx); }; });
}

}  // namespace pt::cli
