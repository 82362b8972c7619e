// Implementation of report/row_detail_text.h: a header block of key/value lines, then (traces) one
// column per answer, files ranked top to bottom, cut to a fixed width so wide paths never wrap.
#include "report/row_detail_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/time.h"

namespace pt {
namespace {

constexpr size_t kColumnChars = 36;

// At most `max` code points: longer text keeps its end (paths differ at the end) after "…".
std::string fit(const std::string& s, size_t max) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= max) return s + std::string(max - starts.size(), ' ');
  return "…" + s.substr(starts[starts.size() - (max - 1)]);
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string tokens_text(const RelabelDetail& r) {
  if (!r.input_tokens && !r.output_tokens) return "-";
  std::string t = fmt::format("{} in", r.input_tokens.value_or(0));
  if (r.cached_input_tokens && *r.cached_input_tokens > 0) t += fmt::format(" ({} cached)", *r.cached_input_tokens);
  return t + fmt::format(" / {} out", r.output_tokens.value_or(0));
}

std::string trace_header(const TraceDetail& t) {
  std::string out = fmt::format("trace {}  ({})\n", t.row.id, t.row.type);
  out += fmt::format("  created   {}\n", format_rfc3339(t.row.created_at_us));
  out += fmt::format("  step      {}   user {}\n", or_dash(t.row.agent_step_id), or_dash(t.row.user_id));
  if (!t.payload_problem.empty()) return out + fmt::format("  payload   cannot be read: {}\n", t.payload_problem);
  out += fmt::format("  kind      {}   production model {}\n", or_dash(std::string(to_string(t.request_kind))),
                     or_dash(t.model));
  out += fmt::format("  prompt    {} bytes of system prompt, {} message(s)\n", t.system_bytes, t.messages);
  std::string request = t.request;
  for (size_t p = request.find('\n'); p != std::string::npos; p = request.find('\n', p + 1))
    request.replace(p, 1, "\n            ");
  out += fmt::format("  request   {}\n", or_dash(request));
  return out;
}

}  // namespace

std::string render_trace_detail(const TraceDetail& t) {
  std::string out = trace_header(t);
  if (!t.payload_problem.empty() || t.row.type != "get-relevant-files") return out;
  struct Column {
    std::string head;
    std::vector<std::string> files;
    std::string id, tokens, cost, note;
  };
  std::vector<Column> cols;
  cols.push_back({"production", t.picked, "-", "-", "-", ""});
  for (const RelabelDetail& r : t.relabels)
    cols.push_back({r.row.model, r.files, or_dash(r.row.id), tokens_text(r),
                    r.cost_usd ? fmt::format("${:.4f}", *r.cost_usd) : "-", r.join_note});
  out += "\n";
  if (t.relabels.empty()) out += "no relabel answers this trace yet (picktune relabel --teacher MODEL adds one)\n";
  size_t rows = 0;
  for (const Column& c : cols) rows = std::max(rows, c.files.size());
  auto line = [&](const std::string& label, auto cell) {
    std::string l = fmt::format("{:<9}", label);
    for (const Column& c : cols) l += "  " + fit(cell(c), kColumnChars);
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line("", [](const Column& c) { return c.head; });
  for (size_t i = 0; i < rows; ++i)
    line(fmt::format("{:>3}", i + 1), [i](const Column& c) { return i < c.files.size() ? c.files[i] : ""; });
  if (rows == 0) line("", [](const Column&) { return std::string("(no files)"); });
  line("files", [](const Column& c) { return fmt::format("{}", c.files.size()); });
  line("relabel", [](const Column& c) { return c.id; });
  line("tokens", [](const Column& c) { return c.tokens; });
  line("cost", [](const Column& c) { return c.cost; });
  for (const Column& c : cols)
    if (!c.note.empty()) out += fmt::format("{}: {}\n", c.head, c.note);
  return out;
}

std::string render_relabel_detail(const RelabelShow& s) {
  const RelabelDetail& r = s.relabel;
  std::string out = fmt::format("relabel {}  (model {})\n", r.row.id, r.row.model);
  out += fmt::format("  created   {}\n", format_rfc3339(r.row.created_at_us));
  out += fmt::format("  step      {}   user {}\n", or_dash(r.row.agent_step_id), or_dash(r.row.user_id));
  out +=
      fmt::format("  kind      {}   trace_id {}   with_context {}\n", or_dash(std::string(to_string(r.request_kind))),
                  or_dash(r.trace_id), r.with_context ? (*r.with_context ? "true" : "false") : "-");
  out += fmt::format("  tokens    {}   cost {}   latency {}\n", tokens_text(r),
                     r.cost_usd ? fmt::format("${:.4f}", *r.cost_usd) : "-",
                     r.latency_ms ? fmt::format("{} ms", *r.latency_ms) : "-");
  out += fmt::format("  files     {}\n", r.files.size());
  for (size_t i = 0; i < r.files.size(); ++i) out += fmt::format("  {:>6}  {}\n", i + 1, r.files[i]);
  if (r.files.empty()) out += fmt::format("  answer    {}\n", r.output.empty() ? "(empty)" : r.output);
  out += "\n";
  if (!s.trace) return out + fmt::format("answers no trace: {}\n", s.trace_note);
  out += "answers ";
  out += trace_header(*s.trace);
  std::string picked;
  for (const auto& f : s.trace->picked) picked += (picked.empty() ? "" : ", ") + f;
  out += fmt::format("  picked    {}\n", picked.empty() ? "(nothing)" : picked);
  return out;
}

}  // namespace pt
