// libcurl implementation of net/http_session.h: a thread_local easy handle (curl_easy_reset
// keeps its connection cache, so keep-alive connections to an upstream survive between calls);
// the header callback detects the blank line that ends the head and calls on_head there.
#include "net/http_session.h"

#include <chrono>

#include "net/curl_easy.h"

namespace pt {
namespace {

struct Call {
  HttpResponse response;
  const HttpSink* sink = nullptr;
  bool head_sent = false;
  bool aborted = false;
  CURL* easy = nullptr;
};

void send_head(Call& c) {
  if (c.head_sent) return;
  c.head_sent = true;
  long status = 0;
  curl_easy_getinfo(c.easy, CURLINFO_RESPONSE_CODE, &status);
  c.response.status = static_cast<int>(status);
  if (c.sink && c.sink->on_head) c.sink->on_head(c.response.status, c.response.headers);
}

size_t call_on_header(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Call*>(user);
  if (curl_take_header_line(std::string_view(data, size * n), c->response) == HeaderLine::end_of_head) {
    long status = 0;  // a 1xx head is followed by another
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) send_head(*c);
  }
  return size * n;
}

size_t call_on_body(char* data, size_t size, size_t n, void* user) {
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

struct Handle {
  CURL* easy = nullptr;
  Handle() {
    curl_init_once();
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
  curl_slist* list = curl_set_request(easy, r);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, call_on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &c);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, call_on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &c);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  CURLcode code = curl_easy_perform(easy);
  curl_slist_free_all(list);
  c.response.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  curl_finish_response(easy, code, c.aborted, c.response);
  return std::move(c.response);
}

}  // namespace pt
