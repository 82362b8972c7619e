// What every libcurl transfer in net/ shares: one global init, the request options (URL,
// timeouts, keep-alive, method, body, headers), response-header parsing and the names of
// transport errors. Internal to net/ (http.cpp, http_session.cpp); callers use net/http.h.
#pragma once
#include <curl/curl.h>

#include <string>
#include <string_view>

#include "net/http.h"

namespace pt {

// curl_global_init, once per process.
void curl_init_once();

// Sets the URL, timeouts, TCP keep-alive, method, body and headers of `request` (which must
// outlive the transfer: the body is not copied). Returns the header list to free afterwards.
curl_slist* curl_set_request(CURL* easy, const HttpRequest& request);

// What one line handed to CURLOPT_HEADERFUNCTION was.
enum class HeaderLine { status, end_of_head, field, other };

// Classifies `line`; a status line clears `response.headers` (a redirect or 100-continue starts
// a new head), a field is appended with its name lower-cased and its value trimmed.
HeaderLine curl_take_header_line(std::string_view line, HttpResponse& response);

// Fills response.status, or transport_error/timed_out, from the result of a finished transfer.
// `stopped_by_caller` says a write callback aborted on purpose (not a failure).
void curl_finish_response(CURL* easy, CURLcode code, bool stopped_by_caller, HttpResponse& response);

}  // namespace pt
