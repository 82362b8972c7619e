// Server setup shared by every route: thread pool, body limit (413), auth token check, 404s in
// the provider's error shape (chosen by the path prefix), access log lines, /healthz, /metrics.
#include "server/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "providers/student_names.h"
#include "server/pages/page_auth.h"
#include "server/wire.h"

namespace pt::server {

namespace {

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Error shape by path prefix; picktune's own routes use the Anthropic-like shape.
Provider provider_of_path(const std::string& path) {
  if (path.rfind("/openai/", 0) == 0) return Provider::openai;
  if (path.rfind("/gemini/", 0) == 0) return Provider::gemini;
  return Provider::anthropic;
}

}  // namespace

Result<void> parse_listen(const std::string& listen, ServeOptions& options) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return usage_error("--listen " + listen + ": expected HOST:PORT");
  try {
    size_t used = 0;
    int port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = port;
  } catch (...) {
    return usage_error("--listen " + listen + ": PORT must be a number 0-65535");
  }
  options.host = listen.substr(0, colon);
  if (options.host.size() > 2 && options.host.front() == '[')
    options.host = options.host.substr(1, options.host.size() - 2);
  return ok();
}

Server::Server(Store& store, ServeOptions options)
    : store_(store), opt_(std::move(options)), http_(std::make_unique<httplib::Server>()) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(Store& store, ServeOptions options) {
  if (!is_loopback(options.host) && options.auth_token.empty())
    return usage_error("--listen " + options.host + ": a non-loopback address needs --auth-token");
  std::unique_ptr<Server> s(new Server(store, std::move(options)));
  PT_ASSIGN_OR_RETURN(s->queue_, CaptureQueue::start(store, CaptureQueueOptions{s->opt_.spool_dir}));
  httplib::Server& h = *s->http_;
  int threads = std::max(8, s->opt_.threads);
  h.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  h.set_keep_alive_max_count(1000000);
  h.set_keep_alive_timeout(30);
  // Head and body go out in separate writes: without this, Nagle holds the body back until the
  // client's delayed ACK (~40 ms on Linux) arrives, on every response (measured by bench_serve).
  h.set_tcp_nodelay(true);
  h.set_read_timeout(300, 0);
  h.set_write_timeout(300, 0);
  h.set_payload_max_length(static_cast<size_t>(s->opt_.max_body));
  // Debian's cpp-httplib 0.11 listens with a backlog of 5 (compiled into the library): a burst of
  // new connections (an agent's pool opening at once) loses SYNs and waits 1-3 s for retransmits.
  // Keep the listening socket and listen() again with SOMAXCONN after the bind (Linux allows it).
  auto listen_fd = std::make_shared<int>(-1);
  h.set_socket_options([listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    *listen_fd = sock;
  });
  Server* self = s.get();
  h.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    ++self->metrics_.requests;
    if (self->opt_.auth_token.empty() || req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    if (is_page_request(req)) return check_page_auth(self->opt_.auth_token, req, res);
    if (same_token(req.get_header_value("X-Picktune-Token"), self->opt_.auth_token))
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_content(wire_error(provider_of_path(req.path), 401, "missing or wrong X-Picktune-Token"),
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  h.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg = res.status == 404   ? "no route for " + req.method + " " + req.path
                      : res.status == 413 ? "request body is larger than --max-body"
                                          : "bad request";
    res.set_content(wire_error(provider_of_path(req.path), res.status, msg), "application/json");
  });
  if (s->opt_.access_log)
    h.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      // No header values (they may hold keys); the trace id is ours.
      nlohmann::json line = {{"method", req.method},
                             {"path", req.path},
                             {"status", res.status},
                             {"trace_id", res.get_header_value("X-Picktune-Trace-Id")}};
      std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    });
  h.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  h.Get("/metrics", [self](const httplib::Request&, httplib::Response& res) {
    res.set_content(self->metrics_text(), "text/plain; version=0.0.4");
  });
  register_proxy_routes(*s);
  PT_ASSIGN_OR_RETURN(s->shadow_, Shadow::start(*s, s->opt_.shadow));
  register_page_routes(*s);
  if (s->opt_.port == 0) {
    s->port_ = h.bind_to_any_port(s->opt_.host);
  } else {
    s->port_ = h.bind_to_port(s->opt_.host, s->opt_.port) ? s->opt_.port : -1;
  }
  if (s->port_ <= 0) return runtime_error("cannot listen on " + s->opt_.host + ":" + std::to_string(s->opt_.port));
  if (*listen_fd >= 0) ::listen(*listen_fd, SOMAXCONN);
  return s;
}

void Server::run() { http_->listen_after_bind(); }

void Server::stop_accepting() {
  if (http_) http_->stop();
}

void Server::stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (http_) http_->stop();
  if (shadow_) shadow_->drain();  // its relabels go through the queue: answer them first
  if (queue_) queue_->drain();
}

Result<LocalModel*> Server::local_model(const std::string& id, std::mutex*& lock) {
  std::lock_guard<std::mutex> g(models_mu_);
  auto known = model_ids_.find(id);
  if (known == model_ids_.end()) {
    // One instance per canonical id: `local:student@./a.model` and `local:student@a.model` share it.
    PT_ASSIGN_OR_RETURN(std::string canonical, canonical_model_id(id));
    if (!models_.count(canonical)) {
      PT_ASSIGN_OR_RETURN(auto model, make_local_model(id));
      models_.emplace(canonical, std::make_pair(std::move(model), std::make_unique<std::mutex>()));
    }
    known = model_ids_.emplace(id, canonical).first;
  }
  auto& entry = models_.at(known->second);
  lock = entry.second.get();
  return entry.first.get();
}

std::string Server::metrics_text() const {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, double value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
           std::to_string(value) + "\n";
  };
  metric("picktune_requests_total", "counter", "HTTP requests received", metrics_.requests.load());
  metric("picktune_bad_requests_total", "counter", "requests refused as malformed", metrics_.bad_requests.load());
  metric("picktune_upstream_calls_total", "counter", "calls forwarded upstream", metrics_.upstream_calls.load());
  metric("picktune_upstream_errors_total", "counter", "upstream transport failures or status >= 400",
         metrics_.upstream_errors.load());
  metric("picktune_local_answers_total", "counter", "answers given by local models", metrics_.local_answers.load());
  metric("picktune_upstream_latency_seconds_sum", "counter", "total upstream time",
         metrics_.upstream_ms_total_us.load() / 1e6);
  metric("picktune_added_latency_seconds_sum", "counter", "total time spent in picktune around upstream calls",
         metrics_.added_us_total.load() / 1e6);
  metric("picktune_capture_queue_depth", "gauge", "rows queued, not yet committed", queue_->depth());
  metric("picktune_spool_bytes", "gauge", "bytes in the spool", queue_->spool_bytes());
  metric("picktune_traces_written_total", "counter", "rows committed to the store", queue_->written());
  metric("picktune_shadow_answers_total", "counter", "shadow candidates' answers queued as relabels",
         shadow_ ? shadow_->answered() : 0);
  metric("picktune_shadow_dropped_total", "counter", "shadow answers not made (queue full or candidate failed)",
         shadow_ ? shadow_->dropped() : 0);
  return out;
}

}  // namespace pt::server
