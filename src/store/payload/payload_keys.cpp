// Implementation of store/payload/payload_keys.h with simdjson On-Demand over a reused padded buffer.
#include "store/payload/payload_keys.h"

#include <simdjson.h>

namespace pt {

struct PayloadKeyReader::Impl {
  simdjson::ondemand::parser parser;
  std::string buffer;  // payload copy with SIMDJSON_PADDING spare capacity
};

PayloadKeyReader::PayloadKeyReader() : impl_(std::make_unique<Impl>()) {}
PayloadKeyReader::~PayloadKeyReader() = default;

namespace {

void read_string_field(simdjson::ondemand::object& object, std::string_view key, std::string& out) {
  out.clear();
  std::string_view value;
  auto field = object.find_field_unordered(key);
  if (field.error()) return;
  if (field.get_string().get(value) == simdjson::SUCCESS) out.assign(value);
}

}  // namespace

Result<void> PayloadKeyReader::read(std::string_view payload, PayloadKeys& out) {
  out.request_type.clear();
  out.trace_id.clear();
  std::string& buf = impl_->buffer;
  if (buf.capacity() < payload.size() + simdjson::SIMDJSON_PADDING)
    buf.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
  buf.assign(payload);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(buf.data(), buf.size(), buf.capacity()).get(doc) != simdjson::SUCCESS)
    return runtime_error("payload is not valid JSON");
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return runtime_error("payload is not a JSON object");
  read_string_field(object, "request_type", out.request_type);
  read_string_field(object, "trace_id", out.trace_id);
  return ok();
}

}  // namespace pt
