// Load generation shared by the serve benchmarks (bench_serve, bench_http_servers): N keep-alive
// cpp-httplib clients (TCP_NODELAY, as the providers' SDKs) POSTing one body, either back to back
// (a closed loop: throughput) or each on a fixed schedule (an open loop: latency below saturation).
#pragma once
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pt_bench {

using Clock = std::chrono::steady_clock;

struct Load {
  int64_t ok = 0, failed = 0;
  double rps = 0;
  std::vector<double> ms;          // per-request latency
  std::vector<std::string> acked;  // X-Picktune-Trace-Id of every 200 (proxy phases)
  double pct(double q) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
  }
};

// `clients` threads, each one keep-alive connection that first sends one unmeasured request (the
// connection is made outside the clock), then POSTs for `secs`: back to back when `interval_ms`
// is 0 (a closed loop: throughput), else one request every `interval_ms` on a fixed schedule
// (an open loop at a set rate: latency without queueing behind the other clients).
inline Load run_load(int port, const std::string& path, const std::string& body, double secs, int clients,
                     double interval_ms = 0) {
  Load out;
  std::mutex mu;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point start, end;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);  // as the SDKs' clients do; else Nagle + delayed ACK add ~40 ms a request
      c.set_connection_timeout(30, 0);
      c.set_read_timeout(30, 0);
      httplib::Headers h = {{"x-api-key", "sk-bench"}, {"anthropic-version", "2023-06-01"}};
      Load mine;
      auto one = [&](bool counted) {
        auto t0 = Clock::now();
        auto r = c.Post(path, h, body, "application/json");
        if (r && r->status == 200 && r->has_header("X-Picktune-Trace-Id"))
          mine.acked.push_back(r->get_header_value("X-Picktune-Trace-Id"));
        if (!counted) return;
        mine.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        (r && r->status == 200 ? mine.ok : mine.failed) += 1;
      };
      one(false);
      ++ready;
      while (!go) std::this_thread::yield();
      if (interval_ms <= 0) {
        while (Clock::now() < end) one(true);
      } else {  // clients spread evenly over one interval
        auto next = start + std::chrono::microseconds(static_cast<int64_t>(interval_ms * 1000 * i / clients));
        for (; next < end; next += std::chrono::microseconds(static_cast<int64_t>(interval_ms * 1000))) {
          std::this_thread::sleep_until(next);
          one(true);
        }
      }
      std::lock_guard<std::mutex> g(mu);
      out.ok += mine.ok;
      out.failed += mine.failed;
      out.ms.insert(out.ms.end(), mine.ms.begin(), mine.ms.end());
      out.acked.insert(out.acked.end(), mine.acked.begin(), mine.acked.end());
    });
  while (ready < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  start = Clock::now();
  end = start + std::chrono::milliseconds(static_cast<int64_t>(secs * 1000));
  go = true;
  for (auto& t : threads) t.join();
  out.rps = static_cast<double>(out.ok) / std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace pt_bench
