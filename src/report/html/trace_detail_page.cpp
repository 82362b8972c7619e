// Renderer of /traces/ID (report/html/browser_views.h): the request, the system prompt and the file
// tree folded, and every answer side by side with its files marked against the truth and the
// tree, and its tokens, cost and latency.
#include <fmt/format.h>

#include "report/html/browser_views.h"
#include "report/html/escape.h"

namespace pt {
namespace {

std::string answer_box(const AnswerView& a, bool has_truth) {
  std::string b = fmt::format(R"(<div class="answer" data-source="{}"><b>{}</b> <span class="muted">{}</span>)",
                              html_escape(a.source), html_escape(a.source), html_escape(a.role));
  if (!a.relabel_id.empty())
    b += fmt::format(R"(<br><span class="muted">relabel {} · {}</span>)", html_escape(a.relabel_id),
                     html_escape(a.time));
  if (!a.problem.empty()) b += "<p class=\"warn\">" + html_escape(a.problem) + "</p>";
  if (a.files.empty()) {
    b += R"(<p class="muted">(no files)</p>)";
  } else {
    b += R"(<ol class="files">)";
    for (const AnswerFile& f : a.files) {
      const char* cls = f.hallucinated ? "halluc" : !has_truth ? "" : f.in_truth ? "hit" : "miss";
      b += fmt::format(R"(<li class="{}">{}{}{}</li>)", cls, html_escape(f.path),
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
  b += "<p class=\"muted\">" + (usage.empty() ? std::string("no usage recorded") : html_escape(usage)) + "</p>";
  return b + "</div>";
}

}  // namespace

std::string render_trace_detail_page(const TraceDetailView& v) {
  std::string b = "<h1>Trace " + html_escape(v.id) + "</h1>";
  b += fmt::format(
      R"(<p class="meta">{} · {} · kind {} · user <a href="/traces?user={}">{}</a> · agent step <a href="/traces?step={}">{}</a>{}{}</p>)",
      html_escape(v.time), html_escape(v.type), html_escape(v.kind.empty() ? "(none)" : v.kind), url_encode(v.user),
      html_escape(v.user), url_encode(v.step), html_escape(v.step),
      v.model.empty() ? "" : " · production model " + html_escape(v.model),
      v.repo.empty() ? "" : " · repo " + html_escape(v.repo));
  if (!v.parse_problem.empty()) b += "<p class=\"warn\">" + html_escape(v.parse_problem) + "</p>";
  if (v.type != "get-relevant-files" || !v.parse_problem.empty()) {
    b += "<h2>Payload</h2><pre id=\"payload\">" + html_escape(v.payload) + "</pre>";
    return browser_document("Trace " + v.id, "Traces", b);
  }
  b += "<h2>Request</h2><pre id=\"request\">" + html_escape(v.request) + "</pre>";
  b += fmt::format(R"(<details id="system"><summary>System prompt ({} characters)</summary><pre>{}</pre></details>)",
                   v.system.size(), html_escape(v.system));
  b += fmt::format(R"(<details id="tree"><summary>File tree ({} files)</summary><ol class="files">)", v.tree.size());
  for (const std::string& p : v.tree) b += "<li>" + html_escape(p) + "</li>";
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
