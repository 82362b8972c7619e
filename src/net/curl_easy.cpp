// Implementation of net/curl_easy.h.
#include "net/curl_easy.h"
#include "util/ascii.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <mutex>

namespace pt {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string describe(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_CONNECT: return "connection refused";
    case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve host";
    case CURLE_RECV_ERROR: return "connection reset";
    case CURLE_SEND_ERROR: return "connection reset (send)";
    case CURLE_GOT_NOTHING: return "empty reply from server";
    case CURLE_PARTIAL_FILE: return "truncated body";
    default: return curl_easy_strerror(code);
  }
}

}  // namespace

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

curl_slist* curl_set_request(CURL* easy, const HttpRequest& r) {
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(r.timeout_ms, 1)));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(std::max<int64_t>(r.timeout_ms, 1), 30000)));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  if (r.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.c_str());
    if (r.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : r.headers) {
    std::string line = name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  return list;
}

HeaderLine curl_take_header_line(std::string_view line, HttpResponse& response) {
  if (line.rfind("HTTP/", 0) == 0) {
    response.headers.clear();
    return HeaderLine::status;
  }
  if (trim(line).empty()) return HeaderLine::end_of_head;
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return HeaderLine::other;
  response.headers.emplace_back(ascii_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return HeaderLine::field;
}

void curl_finish_response(CURL* easy, CURLcode code, bool stopped_by_caller, HttpResponse& response) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && stopped_by_caller)) {
    response.status = static_cast<int>(status);
  } else {
    response.status = 0;
    response.transport_error = describe(code);
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  }
}

}  // namespace pt
