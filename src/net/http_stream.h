// Streaming download for large bodies (e.g. Anthropic batch results JSONL): the body of a 2xx
// response goes to on_chunk as it arrives instead of into HttpResponse::body; an error body
// (status >= 300) is kept in HttpResponse::body whole. on_chunk returning false aborts.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "net/http.h"

namespace pt {

HttpResponse http_stream(const HttpRequest& request, const std::function<bool(std::string_view)>& on_chunk);

// Splits a chunked byte stream into lines (without the trailing "\n" / "\r\n"); call finish()
// at the end to flush a last line that has no newline.
class LineSplitter {
 public:
  explicit LineSplitter(std::function<bool(std::string_view)> on_line) : on_line_(std::move(on_line)) {}
  bool feed(std::string_view chunk);
  bool finish();

 private:
  std::function<bool(std::string_view)> on_line_;
  std::string partial_;
};

}  // namespace pt
