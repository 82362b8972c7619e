// Implementation of pipeline/export/listing.h. Payloads are read with the shared picker-call parser;
// a payload it cannot read is still listed (with empty request and files), never dropped.
// report/listing_table.cpp lays the rows out.
#include "pipeline/export/listing.h"

#include <simdjson.h>

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "core/file_list.h"
#include "core/jsonl_row.h"
#include "core/picker_call.h"
#include "core/picker_prompt.h"
#include "util/time.h"

namespace pt {
namespace {

constexpr size_t kPreviewChars = 60;
constexpr size_t kStepChars = 12;
constexpr size_t kFilesShown = 3;

// Whitespace runs become one space; more than `max` code points are cut to max-1 plus "…".
std::string preview_line(std::string_view s, size_t max) {
  std::string out;
  std::vector<size_t> starts;  // byte offset of each code point in `out`
  bool space = false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) {
      starts.push_back(out.size());
      out += ' ';
      space = false;
    }
    if ((c & 0xC0) != 0x80) starts.push_back(out.size());
    out += ch;
    if (starts.size() > max) break;
  }
  if (starts.size() > max) {
    out.resize(starts[max - 1]);
    out += "…";
  }
  return out;
}

std::string join_files(const std::vector<std::string>& files) {
  std::string out;
  for (size_t i = 0; i < files.size() && i < kFilesShown; ++i) out += (i ? ", " : "") + files[i];
  if (files.size() > kFilesShown) out += fmt::format(" (+{})", files.size() - kFilesShown);
  return out;
}

// The payload fields every listing shows: request kind, answer text, and (relabels) files.
struct PayloadBits {
  RequestKind request_kind = RequestKind::absent;
  std::string output;
  std::optional<std::vector<std::string>> files;
};

PayloadBits read_bits(const std::string& payload) {
  thread_local simdjson::dom::parser parser;
  PayloadBits out;
  simdjson::dom::element doc;
  if (parser.parse(payload).get(doc)) return out;
  std::string_view s;
  if (doc["request_type"].get_string().get(s) == simdjson::SUCCESS) out.request_kind = request_kind_of(s);
  if (doc["output"].get_string().get(s) == simdjson::SUCCESS) out.output.assign(s);
  simdjson::dom::array files;
  if (doc["files"].get_array().get(files) == simdjson::SUCCESS) {
    out.files.emplace();
    for (auto f : files)
      if (f.get_string().get(s) == simdjson::SUCCESS) out.files->emplace_back(s);
  }
  return out;
}

std::string short_time(int64_t us) {
  std::string t = format_rfc3339(us - us % 1000000);
  if (t.size() >= 19) t = t.substr(0, 10) + " " + t.substr(11, 8);
  return t;
}

}  // namespace

ListedRow describe_row(Table table, const Row& row) {
  ListedRow out;
  out.time = short_time(row.created_at_us);
  out.kind = table == Table::traces ? row.type : row.model;
  out.step = preview_line(row.agent_step_id, kStepChars);
  PayloadBits bits = read_bits(row.payload);
  out.request_kind = bits.request_kind;
  if (table == Table::traces) {
    auto call = parse_picker_call(row.payload);
    if (call.ok()) out.request = preview_line(request_from_prompt(last_user_text(*call)), kPreviewChars);
  }
  const bool use_files = table == Table::relabels && bits.files;
  out.picked = join_files(use_files ? *bits.files : parse_production_output(bits.output));
  return out;
}

Result<void> write_listing_jsonl(Store& store, const ListOptions& o, std::FILE* out) {
  std::string buf;
  PT_TRY(store.scan(o.table, o.filter, [&](Row&& row) {
    append_jsonl_row(buf, o.table, row);
    if (buf.size() > (1u << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), out);
      buf.clear();
    }
    return true;
  }));
  std::fwrite(buf.data(), 1, buf.size(), out);
  return ok();
}

Result<Listing> list_rows(Store& store, const ListOptions& o) {
  Listing listing;
  listing.table = o.table;
  listing.store = store.describe();
  PT_TRY(store.scan(o.table, o.filter, [&](Row&& row) {
    listing.rows.push_back(describe_row(o.table, row));
    return true;
  }));
  if (listing.rows.empty()) return listing;
  PT_ASSIGN_OR_RETURN(listing.total, store.count(o.table, [&] {
    RowFilter f = o.filter;
    f.limit.reset();
    return f;
  }()));
  return listing;
}

}  // namespace pt
