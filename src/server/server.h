// `picktune serve`: one HTTP server (cpp-httplib, a thread per connection from a pool) carrying
// the capture proxy routes, local-model answers, /healthz and /metrics. Routes live in their own
// files (proxy.cpp, ...) and register themselves on the Server through register_*_routes.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "providers/model.h"
#include "server/capture_queue.h"
#include "server/shadow.h"
#include "store/store.h"

namespace httplib {
class Server;
}

namespace pt::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8788;  // 0 = any free port
  std::string anthropic_upstream = "https://api.anthropic.com";
  std::string openai_upstream = "https://api.openai.com";
  std::string gemini_upstream = "https://generativelanguage.googleapis.com";
  std::string auth_token;         // required in X-Picktune-Token when set (pages: or its cookie, pages/page_auth.h)
  int64_t max_body = 32ll << 20;  // bytes; larger -> 413
  int64_t upstream_timeout_ms = 600000;
  int threads = 320;  // connection threads (>= concurrent keep-alive clients)
  std::string spool_dir = "picktune-spool";
  std::vector<std::string> shadow;  // candidate model ids answering every captured call
  bool access_log = true;           // one JSON line per request on stderr
  std::string registry_path;        // the finetune registry the pages show ("" = the default)
};

// Parses "HOST:PORT"; a non-loopback HOST without a token is a usage error (checked by start()).
Result<void> parse_listen(const std::string& listen, ServeOptions& options);

struct Metrics {
  std::atomic<int64_t> requests{0}, upstream_errors{0}, local_answers{0}, bad_requests{0};
  std::atomic<int64_t> upstream_ms_total_us{0}, added_us_total{0}, upstream_calls{0};
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> start(Store& store, ServeOptions options);
  ~Server();
  int port() const { return port_; }
  // Blocks serving until stop() (from another thread or a signal watcher).
  void run();
  // Stops accepting, lets running requests finish, drains the capture queue. Idempotent, thread-safe.
  void stop();
  // Only makes run() return (safe from a signal-watching thread).
  void stop_accepting();

  // For route files.
  httplib::Server& http() { return *http_; }
  const ServeOptions& options() const { return opt_; }
  Store& store() { return store_; }
  CaptureQueue& queue() { return *queue_; }
  Metrics& metrics() { return metrics_; }
  Shadow& shadow() { return *shadow_; }
  // A local model by id ("local:bm25", "local:student@NAME"), created once; answers are serialized per model.
  Result<LocalModel*> local_model(const std::string& id, std::mutex*& lock);

 private:
  Server(Store& store, ServeOptions options);
  std::string metrics_text() const;

  Store& store_;
  ServeOptions opt_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<CaptureQueue> queue_;
  std::unique_ptr<Shadow> shadow_;
  Metrics metrics_;
  int port_ = 0;
  std::mutex models_mu_, stop_mu_;
  std::map<std::string, std::pair<std::unique_ptr<LocalModel>, std::unique_ptr<std::mutex>>>
      models_;                                    // by canonical id
  std::map<std::string, std::string> model_ids_;  // id as sent -> canonical id
};

// Route files.
void register_proxy_routes(Server& server);
void register_page_routes(Server& server);  // pages/page_routes.cpp

}  // namespace pt::server
