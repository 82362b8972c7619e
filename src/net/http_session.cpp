// libcurl implementation of net/http_session.h: a thread_local easy handle (curl_easy_reset
// keeps its connection cache, so keep-alive connections to an upstream survive between calls);
// the header callback detects the blank line that ends the head and calls on_head there.
#include "net/http_session.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>

namespace pt {
namespace {

struct Call {
  HttpResponse response;
  const HttpSink* sink = nullptr;
  bool head_sent = false;
  bool aborted = false;
  CURL* easy = nullptr;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

void send_head(Call& c) {
  if (c.head_sent) return;
  c.head_sent = true;
  long status = 0;
  curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &status);
  c.response.status = static_cast<int>(status);
  if (c.sink && c.sink->on_head) c.sink->on_head(c.response.status, c.response.headers);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Call*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {  // a new status line (100-continue, redirect): start over
    c->response.headers.clear();
    return len;
  }
  if (trim(line).empty()) {  // end of a head; a 1xx head is followed by another
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) send_head(*c);
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(trim(line.substr(0, colon)));
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  c->response.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return len;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Call*>(user);
  size_t len = size * n;
  send_head(*c);
  if (c->sink && c->sink->on_body) {
    if (!c->sink->on_body(std::string_view(data, len))) {
      c->aborted = true;
      return 0;
    }
    return len;
  }
  c->response.body.append(data, len);
  return len;
}

std::string describe(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_COULDNT_CONNECT:
      return "connection refused";
    case CURLE_RECV_ERROR:
      return "connection reset";
    case CURLE_GOT_NOTHING:
      return "empty reply from server";
    case CURLE_PARTIAL_FILE:
      return "truncated body";
    default:
      return curl_easy_strerror(code);
  }
}

struct Handle {
  CURL* easy = nullptr;
  Handle() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    easy = curl_easy_init();
  }
  ~Handle() { curl_easy_cleanup(easy); }
};

}  // namespace

HttpResponse http_session_call(const HttpRequest& r, const HttpSink* sink) {
  thread_local Handle handle;
  CURL* easy = handle.easy;
  curl_easy_reset(easy);
  Call c;
  c.sink = sink;
  c.easy = easy;
  auto started = std::chrono::steady_clock::now();
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(r.timeout_ms, 1)));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(std::max<int64_t>(r.timeout_ms, 1), 30000)));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &c);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &c);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  if (r.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.c_str());
    if (r.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : r.headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  CURLcode code = curl_easy_perform(easy);
  curl_slist_free_all(list);
  c.response.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && c.aborted)) {
    c.response.status = static_cast<int>(status);
  } else {
    c.response.status = 0;
    c.response.transport_error = describe(code);
    c.response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  }
  return std::move(c.response);
}

}  // namespace pt
