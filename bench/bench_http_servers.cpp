// The HTTP server library behind `picktune serve` (issue 18): cpp-httplib (what serve uses) against
// libmicrohttpd (Debian's libmicrohttpd-dev), each answering a picker call with a fixed Anthropic
// answer, driven by the same 256 keep-alive clients in the same run: requests/s, latency at a paced
// rate, process CPU per request. Twice: a handler that answers at once (the library's own cost),
// and one that blocks 2 ms first, as the proxy's handler blocks on its upstream call. libmicrohttpd
// runs both as an epoll pool (one thread per core) and thread-per-connection (serve's model).
// Env: PT_BENCH_QUICK=1 (short phases), BENCH_SERVE_SECONDS (default 10), BENCH_SERVE_PACED_RPS (500).
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "serve_load.h"

namespace {

using pt_bench::Clock;
using pt_bench::Load;
using pt_bench::run_load;

constexpr int kClients = 256;
const std::string kAnswer =
    R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-bench","content":[{"type":"text",)"
    R"("text":"src/routes/login.js\nsrc/db/users.js"}],"stop_reason":"end_turn","usage":{"input_tokens":120,)"
    R"("output_tokens":12}})";

double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}
double phase_seconds() { return env_or("BENCH_SERVE_SECONDS", std::getenv("PT_BENCH_QUICK") ? 3 : 10); }

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A server under test: started on a free loopback port, stopped by its destructor.
struct TestServer {
  virtual ~TestServer() = default;
  virtual int port() const = 0;
};

class HttplibServer : public TestServer {
 public:
  explicit HttplibServer(int work_ms) {
    // As server/server.cpp configures it for serve.
    s_.new_task_queue = [] { return new httplib::ThreadPool(kClients + 64); };
    s_.set_keep_alive_max_count(1000000);
    s_.set_keep_alive_timeout(30);
    s_.set_tcp_nodelay(true);
    s_.set_read_timeout(300, 0);
    s_.set_write_timeout(300, 0);
    auto listen_fd = std::make_shared<int>(-1);
    s_.set_socket_options([listen_fd](socket_t sock) {
      httplib::default_socket_options(sock);
      *listen_fd = sock;
    });
    s_.Post("/v1/messages", [work_ms](const httplib::Request&, httplib::Response& res) {
      if (work_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(work_ms));
      res.set_content(kAnswer, "application/json");
    });
    port_ = s_.bind_to_any_port("127.0.0.1");
    if (*listen_fd >= 0) ::listen(*listen_fd, SOMAXCONN);  // the packaged library's backlog is 5
    thread_ = std::thread([this] { s_.listen_after_bind(); });
    while (!s_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttplibServer() override {
    s_.stop();
    thread_.join();
  }
  int port() const override { return port_; }

 private:
  httplib::Server s_;
  std::thread thread_;
  int port_ = 0;
};

class MhdServer : public TestServer {
 public:
  MhdServer(int work_ms, bool thread_per_connection) : work_ms_(work_ms) {
    unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_INTERNAL_POLLING_THREAD;
    flags |= thread_per_connection ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL : MHD_USE_EPOLL;
    const unsigned pool = thread_per_connection ? 0 : std::max(1u, std::thread::hardware_concurrency());
    addr_.sin_family = AF_INET;
    addr_.sin_port = 0;  // any free port
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto* sa = reinterpret_cast<sockaddr*>(&addr_);
    d_ = thread_per_connection
             ? MHD_start_daemon(flags, 0, nullptr, nullptr, &MhdServer::handle, this, MHD_OPTION_CONNECTION_LIMIT,
                                kClients + 64, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_SOCK_ADDR, sa,
                                MHD_OPTION_END)
             : MHD_start_daemon(flags, 0, nullptr, nullptr, &MhdServer::handle, this, MHD_OPTION_CONNECTION_LIMIT,
                                kClients + 64, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_THREAD_POOL_SIZE, pool,
                                MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_END);
    if (d_) port_ = MHD_get_daemon_info(d_, MHD_DAEMON_INFO_BIND_PORT)->port;
  }
  ~MhdServer() override {
    if (d_) MHD_stop_daemon(d_);
  }
  int port() const override { return port_; }
  bool ok() const { return d_ != nullptr; }

 private:
  // Called for the head, then per body piece, then once with no data: answer then.
  static MHD_Result handle(void* cls, MHD_Connection* c, const char*, const char*, const char*, const char*,
                           size_t* upload_size, void** state) {
    auto* self = static_cast<MhdServer*>(cls);
    if (*state == nullptr) {
      *state = self;  // the head: ask for the body
      return MHD_YES;
    }
    if (*upload_size != 0) {
      *upload_size = 0;  // body consumed (a real handler would append it)
      return MHD_YES;
    }
    if (self->work_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(self->work_ms_));
    MHD_Response* r =
        MHD_create_response_from_buffer(kAnswer.size(), const_cast<char*>(kAnswer.data()), MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
  }
  sockaddr_in addr_{};
  MHD_Daemon* d_ = nullptr;
  int work_ms_;
  int port_ = 0;
};

std::unique_ptr<TestServer> make_server(int kind, int work_ms) {
  if (kind == 0) return std::make_unique<HttplibServer>(work_ms);
  auto m = std::make_unique<MhdServer>(work_ms, kind == 2);
  if (!m->ok()) return nullptr;
  return m;
}

// Args: {server kind (0 cpp-httplib, 1 libmicrohttpd epoll pool, 2 libmicrohttpd thread per
// connection), handler work in ms}.
void BM_HttpServer(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0)), work_ms = static_cast<int>(state.range(1));
  static const char* names[] = {"cpp-httplib", "libmicrohttpd-epoll-pool", "libmicrohttpd-thread-per-connection"};
  state.SetLabel(names[kind]);
  auto server = make_server(kind, work_ms);
  if (!server) {
    state.SkipWithError("server did not start");
    return;
  }
  const std::string body =
      R"({"model":"claude-bench","max_tokens":256,"system":"You pick files.","messages":[{"role":"user","content":"fix the login bug"}]})";
  const double secs = phase_seconds();
  const double paced_rps = env_or("BENCH_SERVE_PACED_RPS", 500);
  for (auto _ : state) {
    double c0 = cpu_seconds();
    Load sat = run_load(server->port(), "/v1/messages", body, secs, kClients);
    double cpu = cpu_seconds() - c0;
    Load paced = run_load(server->port(), "/v1/messages", body, secs, 16, 1000.0 * 16 / paced_rps);
    state.counters["rps"] = sat.rps;
    state.counters["median_ms"] = sat.pct(0.5);
    state.counters["p99_ms"] = sat.pct(0.99);
    state.counters["cpu_us_per_request"] = sat.ok > 0 ? 1e6 * cpu / static_cast<double>(sat.ok) : 0;
    state.counters["paced_median_ms"] = paced.pct(0.5);
    state.counters["paced_p99_ms"] = paced.pct(0.99);
    state.counters["failed"] = static_cast<double>(sat.failed + paced.failed);
  }
}
BENCHMARK(BM_HttpServer)
    ->ArgsProduct({{0, 1, 2}, {0, 2}})
    ->ArgNames({"server", "work_ms"})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
