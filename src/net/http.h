// HTTP for every remote call: one libcurl-multi event loop carrying many requests at once
// (HttpMulti, used by the relabel engine) and a blocking one-off call (http_call, used for token
// exchange, uploads and job polling). Transport failures are data (HttpResponse::transport_error),
// never exceptions; retry policy lives in net/retry.h.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pt {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t timeout_ms = 120000;
};

struct HttpResponse {
  int status = 0;                                            // 0 when the transfer failed (see transport_error)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string transport_error;  // "" on success; e.g. "timeout", "connection reset"
  bool timed_out = false;
  double elapsed_ms = 0;
  std::optional<std::string> header(std::string_view lower_name) const;
};

class HttpMulti {
 public:
  using Callback = std::function<void(HttpResponse&&)>;
  explicit HttpMulti(int max_in_flight);
  ~HttpMulti();
  HttpMulti(const HttpMulti&) = delete;
  HttpMulti& operator=(const HttpMulti&) = delete;
  // Queues a request; it starts when fewer than max_in_flight are running.
  void submit(HttpRequest request, Callback on_done);
  // Requests queued or running.
  size_t pending() const;
  // Requests running now (started, not finished).
  size_t in_flight() const;
  // Makes a blocked run_once return early; the only member safe to call from another thread
  // (e.g. a signal-watching thread).
  void wakeup();
  // Drives transfers for at most timeout_ms and runs the callbacks of finished ones. Callbacks
  // may submit() (e.g. a retry). With nothing pending it just waits timeout_ms (or a wakeup()).
  void run_once(int timeout_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One blocking request (no retries).
HttpResponse http_call(const HttpRequest& request);

// Percent-encodes `text` for a URL path segment or query value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

}  // namespace pt
