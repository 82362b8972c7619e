// A reusable blocking HTTP client for a proxy: one libcurl easy handle per thread, kept between
// calls so the connection to the upstream is reused (keep-alive). The response head is handed
// over before the body, and the body chunk by chunk, so a caller can stream it through.
// Transport failures are data (HttpResponse::transport_error). No retries here.
#pragma once
#include <functional>
#include <string_view>

#include "net/http.h"

namespace pt {

struct HttpSink {
  // Called once, when the status line and every header arrived (before any body byte).
  std::function<void(int status, const std::vector<std::pair<std::string, std::string>>& headers)> on_head;
  // Each piece of the body as it arrives; returning false aborts the transfer.
  std::function<bool(std::string_view)> on_body;
};

// Runs `request` on this thread's reused handle. With a sink, the body goes to sink.on_body and
// HttpResponse::body stays empty; without one, the body is collected into HttpResponse::body.
// Response headers keep their names lower-cased. No Accept-Encoding is sent (bodies pass as is).
HttpResponse http_session_call(const HttpRequest& request, const HttpSink* sink = nullptr);

}  // namespace pt
