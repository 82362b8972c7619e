// libcurl implementation of net/http.h: HttpMulti keeps one curl multi handle, starts queued
// requests while fewer than max_in_flight run, waits with curl_multi_poll and hands finished
// responses (status, lower-cased headers, body, transport error) to their callbacks.
// http_call and http_stream run one easy handle to completion on the calling thread.
#include "net/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <unordered_map>

#include "net/curl_easy.h"
#include "net/http_stream.h"

namespace pt {
namespace {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// One transfer: the request, the response being filled, and curl's header list. (Not in the
// anonymous namespace: HttpMulti::Impl holds them.)
struct HttpTransfer {
  HttpRequest request;
  HttpMulti::Callback on_done;
  HttpResponse response;
  curl_slist* header_list = nullptr;
  double started_ms = 0;
  const std::function<bool(std::string_view)>* sink = nullptr;  // streaming body consumer
  bool sink_stopped = false;
  CURL* easy = nullptr;
};

namespace {

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<HttpTransfer*>(user);
  size_t len = size * n;
  if (t->sink) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300) {  // an error body is kept whole for the caller's message
      t->response.body.append(data, len);
      return len;
    }
    if (!(*t->sink)(std::string_view(data, len))) {
      t->sink_stopped = true;
      return 0;  // aborts the transfer
    }
    return len;
  }
  t->response.body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<HttpTransfer*>(user);
  curl_take_header_line(std::string_view(data, size * n), t->response);
  return size * n;
}

// Sets every option of one transfer on a (fresh or reset) easy handle.
void setup_easy(CURL* easy, HttpTransfer& t) {
  t.easy = easy;
  t.header_list = curl_set_request(easy, t.request);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  t.started_ms = now_ms();
}

// Fills status/elapsed/transport error after curl finished with `code`.
void finish(CURL* easy, HttpTransfer& t, CURLcode code) {
  t.response.elapsed_ms = now_ms() - t.started_ms;
  curl_finish_response(easy, code, t.sink_stopped, t.response);
  curl_slist_free_all(t.header_list);
  t.header_list = nullptr;
}

// Runs one transfer to completion on the calling thread.
HttpResponse run_one(HttpTransfer& t) {
  curl_init_once();
  CURL* easy = curl_easy_init();
  setup_easy(easy, t);
  CURLcode code = curl_easy_perform(easy);
  finish(easy, t, code);
  curl_easy_cleanup(easy);
  return std::move(t.response);
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return std::nullopt;
}

struct HttpMulti::Impl {
  CURLM* multi = nullptr;
  int max_in_flight = 1;
  std::deque<std::unique_ptr<HttpTransfer>> queued;
  std::unordered_map<CURL*, std::unique_ptr<HttpTransfer>> running;
  std::vector<CURL*> idle_handles;  // reused easy handles keep their DNS/TLS caches warm

  CURL* take_handle() {
    if (idle_handles.empty()) return curl_easy_init();
    CURL* h = idle_handles.back();
    idle_handles.pop_back();
    curl_easy_reset(h);
    return h;
  }

  void start_queued() {
    while (!queued.empty() && static_cast<int>(running.size()) < max_in_flight) {
      std::unique_ptr<HttpTransfer> t = std::move(queued.front());
      queued.pop_front();
      CURL* easy = take_handle();
      setup_easy(easy, *t);
      curl_multi_add_handle(multi, easy);
      running.emplace(easy, std::move(t));
    }
  }

  // Removes finished transfers; returns them so callbacks run after the multi is consistent.
  std::vector<std::unique_ptr<HttpTransfer>> collect_done() {
    std::vector<std::unique_ptr<HttpTransfer>> done;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;
      auto it = running.find(easy);
      curl_multi_remove_handle(multi, easy);
      if (it == running.end()) {
        curl_easy_cleanup(easy);
        continue;
      }
      finish(easy, *it->second, code);
      done.push_back(std::move(it->second));
      running.erase(it);
      idle_handles.push_back(easy);
    }
    return done;
  }
};

HttpMulti::HttpMulti(int max_in_flight) : impl_(std::make_unique<Impl>()) {
  curl_init_once();
  impl_->multi = curl_multi_init();
  impl_->max_in_flight = std::max(1, max_in_flight);
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(impl_->max_in_flight + 8));
}

HttpMulti::~HttpMulti() {
  for (auto& [easy, t] : impl_->running) {
    curl_multi_remove_handle(impl_->multi, easy);
    curl_slist_free_all(t->header_list);
    curl_easy_cleanup(easy);
  }
  for (CURL* h : impl_->idle_handles) curl_easy_cleanup(h);
  curl_multi_cleanup(impl_->multi);
}

void HttpMulti::submit(HttpRequest request, Callback on_done) {
  auto t = std::make_unique<HttpTransfer>();
  t->request = std::move(request);
  t->on_done = std::move(on_done);
  impl_->queued.push_back(std::move(t));
}

size_t HttpMulti::pending() const { return impl_->queued.size() + impl_->running.size(); }

size_t HttpMulti::in_flight() const { return impl_->running.size(); }

void HttpMulti::wakeup() { curl_multi_wakeup(impl_->multi); }

void HttpMulti::run_once(int timeout_ms) {
  impl_->start_queued();
  int still = 0;
  curl_multi_perform(impl_->multi, &still);
  auto done = impl_->collect_done();
  if (done.empty() && !impl_->running.empty()) {
    curl_multi_poll(impl_->multi, nullptr, 0, std::max(0, timeout_ms), nullptr);
    curl_multi_perform(impl_->multi, &still);
    done = impl_->collect_done();
  } else if (done.empty() && timeout_ms > 0) {
    // Nothing running: still honour the wait so callers can pace themselves (wakeup() ends it).
    curl_multi_poll(impl_->multi, nullptr, 0, timeout_ms, nullptr);
  }
  for (auto& t : done) {
    if (t->on_done) t->on_done(std::move(t->response));
  }
  impl_->start_queued();  // refill with anything the callbacks submitted
  if (!done.empty()) curl_multi_perform(impl_->multi, &still);
}

HttpResponse http_call(const HttpRequest& request) {
  HttpTransfer t;
  t.request = request;
  return run_one(t);
}

std::string url_encode(std::string_view text) {
  curl_init_once();
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

HttpResponse http_stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_chunk) {
  HttpTransfer t;
  t.request = request;
  t.sink = &on_chunk;
  return run_one(t);
}

}  // namespace pt

namespace pt {

bool LineSplitter::feed(std::string_view chunk) {
  size_t start = 0;
  while (true) {
    size_t nl = chunk.find('\n', start);
    if (nl == std::string_view::npos) break;
    std::string_view piece = chunk.substr(start, nl - start);
    bool keep_going;
    if (partial_.empty()) {
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      keep_going = on_line_(piece);
    } else {
      partial_.append(piece);
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      keep_going = on_line_(partial_);
      partial_.clear();
    }
    if (!keep_going) return false;
    start = nl + 1;
  }
  partial_.append(chunk.substr(start));
  return true;
}

bool LineSplitter::finish() {
  if (partial_.empty()) return true;
  std::string last = std::move(partial_);
  partial_.clear();
  if (!last.empty() && last.back() == '\r') last.pop_back();
  return on_line_(last);
}

}  // namespace pt
