// Implementation of core/file_context.h.
#include "core/file_context.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace pt {
namespace {

constexpr std::string_view kSectionHead =
    "## Partial file context\n In addition to the file-tree, you've also been provided with some full files to "
    "make a better decision. Use these to help you decide which files are most relevant to the query. \n"
    "<partial-file-context>\n";
constexpr std::string_view kSectionTail = "\n</partial-file-context>";
constexpr std::string_view kEntryHead = "<file-contents>\n <name>";
constexpr std::string_view kEntryMid = "</name>\n <contents>";
constexpr std::string_view kEntryTail = "</contents>\n</file-contents>";

// Largest prefix length <= n of s that does not split a UTF-8 sequence.
size_t utf8_floor(std::string_view s, size_t n) {
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// The longest prefix of `content` whose rendered entry costs at most `budget` tokens (binary search
// on the byte length), pulled back to the last line break when that keeps at least half of it.
std::string_view fitting_prefix(std::string_view path, std::string_view content, size_t budget,
                                const TokenCountFn& count) {
  size_t lo = 0, hi = content.size();
  while (lo < hi) {
    size_t mid = utf8_floor(content, lo + (hi - lo + 1) / 2);
    if (mid <= lo) mid = lo + 1;
    if (count(render_file_entry(path, content.substr(0, mid))) <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  lo = utf8_floor(content, lo);
  size_t nl = content.substr(0, lo).rfind('\n');
  if (nl != std::string_view::npos && nl + 1 >= lo / 2) lo = nl + 1;
  return content.substr(0, lo);
}

}  // namespace

Result<std::vector<ContextFile>> parse_blob_files(std::string_view payload_json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(payload_json.data(), payload_json.size()).get(root))
    return runtime_error(fmt::format("payload: invalid JSON ({})", simdjson::error_message(err)));
  simdjson::dom::object files;
  auto f = root["files"];
  if (f.error() == simdjson::NO_SUCH_FIELD) return runtime_error("payload.files: missing");
  if (f.get_object().get(files)) return runtime_error("payload.files: expected an object");
  std::vector<ContextFile> out;
  for (auto [key, value] : files) {
    std::string_view content;
    if (value.is_string()) {
      content = value.get_string().value_unsafe();
    } else if (value["content"].get_string().get(content) != simdjson::SUCCESS) {
      return runtime_error(fmt::format("payload.files[\"{}\"].content: expected a string", std::string_view(key)));
    }
    out.push_back({std::string(key), std::string(content)});
  }
  return out;
}

std::string render_file_entry(std::string_view path, std::string_view content) {
  std::string out;
  out.reserve(kEntryHead.size() + path.size() + kEntryMid.size() + content.size() + kEntryTail.size());
  out += kEntryHead;
  out += path;
  out += kEntryMid;
  out += content;
  out += kEntryTail;
  return out;
}

std::string wrap_file_context(std::string_view joined_entries) {
  std::string out;
  out.reserve(kSectionHead.size() + joined_entries.size() + kSectionTail.size());
  out += kSectionHead;
  out += joined_entries;
  out += kSectionTail;
  return out;
}

RenderedFileContext render_file_context(const std::vector<ContextFile>& files, long long max_tokens,
                                        const TokenCountFn& count) {
  RenderedFileContext r;
  if (files.empty()) return r;
  const bool unlimited = max_tokens <= 0;
  const size_t budget = unlimited ? 0 : static_cast<size_t>(max_tokens);
  size_t used = unlimited ? 0 : count(wrap_file_context(""));
  if (!unlimited && used >= budget) {
    r.files_dropped = static_cast<int>(files.size());
    return r;
  }
  // A piece costs at most its bytes in tokens (TokenCountFn's contract), so an entry that fits the
  // budget by bytes is taken without counting it; its count is needed, and taken, only once a
  // later entry does not fit by bytes. The decisions are those of counting every piece.
  struct Uncounted {
    size_t at, size, sep;
  };
  std::vector<Uncounted> uncounted;
  size_t bound = used;  // `used` plus the bytes of the uncounted pieces
  std::string joined;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string entry = render_file_entry(files[i].path, files[i].content);
    size_t sep = joined.empty() ? 0 : 1;
    if (unlimited || bound + entry.size() + sep <= budget) {
      if (sep) joined += '\n';
      uncounted.push_back(Uncounted{joined.size(), entry.size(), sep});
      joined += entry;
      bound += entry.size() + sep;
      ++r.files_included;
      continue;
    }
    for (const Uncounted& u : uncounted) used += count(std::string_view(joined).substr(u.at, u.size)) + u.sep;
    uncounted.clear();
    bound = used;
    size_t cost = count(entry) + sep;
    if (used + cost <= budget) {
      if (sep) joined += '\n';
      joined += entry;
      used += cost;
      bound = used;
      ++r.files_included;
      continue;
    }
    size_t left = budget - used;
    if (left >= kMinTruncatedTokens + sep) {
      std::string_view cut = fitting_prefix(files[i].path, files[i].content, left - sep, count);
      if (!cut.empty()) {
        entry = render_file_entry(files[i].path, cut);
        if (sep) joined += '\n';
        joined += entry;
        r.files_truncated = 1;
        r.files_dropped = static_cast<int>(files.size() - i - 1);
        break;
      }
    }
    r.files_dropped = static_cast<int>(files.size() - i);
    break;
  }
  if (joined.empty()) return r;
  r.text = wrap_file_context(joined);
  return r;
}

std::vector<ContextFile> parse_rendered_file_context(std::string_view text) {
  std::vector<ContextFile> out;
  size_t pos = 0;
  while (true) {
    size_t a = text.find(kEntryHead, pos);
    if (a == std::string_view::npos) break;
    a += kEntryHead.size();
    size_t b = text.find(kEntryMid, a);
    if (b == std::string_view::npos) break;
    size_t c = b + kEntryMid.size();
    size_t d = text.find(kEntryTail, c);
    if (d == std::string_view::npos) d = text.size();
    out.push_back({std::string(text.substr(a, b - a)), std::string(text.substr(c, d - c))});
    pos = d;
  }
  return out;
}

size_t approx_token_count(std::string_view text) { return (text.size() + 3) / 4; }

}  // namespace pt
