// Renderer of /traces/ID (report/html/browser_views.h): the request, the system prompt and the file
// tree folded, and every answer side by side with its files marked against the truth and the
// tree, and its tokens, cost and latency.
#include <fmt/format.h>

#include "report/html/browser_views.h"
#include "report/html/escape.h"

namespace pt {
namespace {

std::string e(const std::string& s) { return html_escape(s); }

std::string answer_box(const AnswerView& a, bool has_truth) {
  std::string b = fmt::format(R"(<div class="answer" data-source="{}"><b>{}</b> <span class="muted">{}</span>)",
                              e(a.source), e(a.source), e(a.role));
  if (!a.relabel_id.empty())
    b += fmt::format(R"(<br><span class="muted">relabel {} · {}</span>)", e(a.relabel_id), e(a.time));
  if (!a.problem.empty()) b += "<p class=\"warn\">" + e(a.problem) + "</p>";
  if (a.files.empty()) {
    b += R"(<p class="muted">(no files)</p>)";
  } else {
    b += R"(<ol class="files">)";
    for (const AnswerFile& f : a.files) {
      const char* cls = f.hallucinated ? "halluc" : !has_truth ? "" : f.in_truth ? "hit" : "miss";
      b += fmt::format(R"(<li class="{}">{}{}{}</li>)", cls, e(f.path),
                       has_truth && f.in_truth ? R"(<span class="tag ok">in truth</span>)" : "",
                       f.hallucinated ? R"(<span class="tag">not in tree</span>)" : "");
    }
    b += "</ol>";
  }
  std::string usage;
  if (a.input_tokens) usage += fmt::format("in {} ", *a.input_tokens);
  if (a.cached_tokens) usage += fmt::format("(cached {}) ", *a.cached_tokens);
  if (a.output_tokens) usage += fmt::format("out {} ", *a.output_tokens);
  if (!usage.empty()) usage = "tokens: " + usage;
  if (a.cost_usd) usage += fmt::format("· ${:.6f} ", *a.cost_usd);
  if (a.latency_ms) usage += fmt::format("· {} ms", *a.latency_ms);
  b += "<p class=\"muted\">" + (usage.empty() ? std::string("no usage recorded") : e(usage)) + "</p>";
  return b + "</div>";
}

}  // namespace

std::string render_trace_detail_page(const TraceDetailView& v) {
  std::string b = "<h1>Trace " + e(v.id) + "</h1>";
  b += fmt::format(
      R"(<p class="meta">{} · {} · kind {} · user <a href="/traces?user={}">{}</a> · agent step <a href="/traces?step={}">{}</a>{}{}</p>)",
      e(v.time), e(v.type), e(v.kind.empty() ? "(none)" : v.kind), url_encode(v.user), e(v.user), url_encode(v.step),
      e(v.step), v.model.empty() ? "" : " · production model " + e(v.model),
      v.repo.empty() ? "" : " · repo " + e(v.repo));
  if (!v.parse_problem.empty()) b += "<p class=\"warn\">" + e(v.parse_problem) + "</p>";
  if (v.type != "get-relevant-files" || !v.parse_problem.empty()) {
    b += "<h2>Payload</h2><pre id=\"payload\">" + e(v.payload) + "</pre>";
    return browser_document("Trace " + v.id, "Traces", b);
  }
  b += "<h2>Request</h2><pre id=\"request\">" + e(v.request) + "</pre>";
  b += fmt::format(R"(<details id="system"><summary>System prompt ({} characters)</summary><pre>{}</pre></details>)",
                   v.system.size(), e(v.system));
  b += fmt::format(R"(<details id="tree"><summary>File tree ({} files)</summary><ol class="files">)", v.tree.size());
  for (const std::string& p : v.tree) b += "<li>" + e(p) + "</li>";
  b += "</ol></details>";
  b += fmt::format(
      R"(<h2>Answers</h2><p class="meta">{}<span class="halluc">struck</span>: not in the trace's file tree.</p><div class="cols" id="answers">)",
      v.has_truth ? R"(<span class="hit">green</span>: in the truth; <span class="miss">red</span>: not in the truth; )"
                  : "No truth relabel for this trace. ");
  for (const AnswerView& a : v.answers) b += answer_box(a, v.has_truth);
  b += "</div>";
  return browser_document("Trace " + v.id, "Traces", b);
}

}  // namespace pt
