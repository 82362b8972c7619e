// Renderers of report/html/browser_views.h for the overview, the trace table, the registry and
// the message page; the trace page is in trace_detail_page.cpp.
#include <fmt/format.h>

#include "report/html/browser_views.h"
#include "report/html/escape.h"
#include "report/html/style.h"

namespace pt {
namespace {

std::string option(const std::string& value, const std::string& label, const std::string& selected) {
  return fmt::format(R"(<option value="{}"{}>{}</option>)", html_escape(value), value == selected ? " selected" : "",
                     html_escape(label));
}

std::string input(const char* name, const char* label, const std::string& value, const char* type = "text") {
  return fmt::format(R"(<label>{}<input type="{}" name="{}" value="{}"></label>)", label, type, name,
                     html_escape(value));
}

std::string recipe_text(const Recipe& r) {
  std::string out;
  out += join_request_kinds(r.request_kinds, "+");
  if (r.top_k) out += fmt::format(", top {}", *r.top_k);
  if (r.with_file_context) out += ", file context";
  if (r.stop_dashes) out += ", stop dashes";
  if (r.blobbify_history) out += ", blob history";
  return out;
}

std::string relabel_cost_text(const RelabelCostView& c) {
  std::string out = R"(<p class="card" id="relabel-cost">)";
  if (!c.error.empty())
    return out + "Relabel cost with <b>" + html_escape(c.teacher) + "</b>: " + html_escape(c.error) + "</p>";
  if (c.traces == 0)
    return out + "No get-relevant-files traces on this page to relabel with <b>" + html_escape(c.teacher) + "</b>.</p>";
  return out + fmt::format(
                   "Relabelling the {} get-relevant-files traces on this page with <b>{}</b>: {} already answered, "
                   "{} to do, ~{} input tokens ({}), estimated <b>${:.4f}</b> (at most ${:.4f} if every answer "
                   "runs to the output limit). The same dry run as <code>picktune relabel --dry-run</code>.</p>",
                   c.traces, html_escape(c.teacher), c.already, c.to_do, c.input_tokens, html_escape(c.tokenizer),
                   c.cost_usd, c.worst_cost_usd);
}

}  // namespace

std::string browser_document(const std::string& title, const std::string& active, const std::string& body) {
  std::string nav = R"(<nav class="top" aria-label="main"><a class="brand" href="/">picktune</a>)";
  for (auto [href, label] :
       {std::pair{"/", "Overview"}, {"/traces", "Traces"}, {"/evals", "Evals"}, {"/finetunes", "Finetunes"}})
    nav += fmt::format(R"(<a href="{}"{}>{}</a>)", href, label == active ? R"( aria-current="page")" : "", label);
  nav += "</nav>";
  return html_document(title + " · picktune", nav + "<main>" + body + "</main>",
                       R"(<link rel="icon" href="data:,"><script src="/assets/pages.js" defer></script>)");
}

std::string render_message_page(const std::string& title, const std::string& message) {
  return browser_document(title, "", "<h1>" + html_escape(title) + "</h1><p>" + html_escape(message) + "</p>");
}

std::string render_overview_page(const OverviewView& v) {
  std::string b = "<h1>Overview</h1><p class=\"meta\">Store <b>" + html_escape(v.store) + "</b>";
  if (!v.newest_trace_id.empty())
    b += fmt::format(R"( · newest trace <a href="/traces/{}">{}</a> at {})", url_encode(v.newest_trace_id),
                     html_escape(v.newest_trace_id), html_escape(v.newest_trace_time));
  else
    b += " · no traces yet";
  b += "</p>";
  b +=
      R"(<h2>Traces by type and request kind</h2><div class="scroll"><table id="trace-counts"><tr><th class="l">type</th><th class="l">kind</th><th>traces</th></tr>)";
  for (const CountRow& r : v.traces)
    b += fmt::format(R"(<tr><td class="l"><a href="{}">{}</a></td><td class="l">{}</td><td>{}</td></tr>)",
                     html_escape(r.href), html_escape(r.label), html_escape(r.sublabel), r.count);
  b += "</table></div>";
  b += fmt::format(
      R"(<h2>Relabels by model</h2><p class="meta">Coverage: distinct get-relevant-files traces a model answers (by trace id, else agent step and kind) out of {}.</p>)"
      R"(<div class="scroll"><table id="teachers"><tr><th class="l">model</th><th>relabels</th><th>traces answered</th><th>coverage</th></tr>)",
      v.picker_traces);
  for (const TeacherCoverage& t : v.teachers) {
    double cov =
        v.picker_traces ? 100.0 * static_cast<double>(t.traces_answered) / static_cast<double>(v.picker_traces) : 0;
    // A provider model links to the dry-run cost of relabelling the newest traces with it.
    bool priced = t.model.find(':') != std::string::npos && t.model.rfind("local:", 0) != 0;
    std::string name =
        priced
            ? fmt::format(
                  R"(<a href="/traces?type=get-relevant-files&amp;teacher={}" title="relabel cost of the newest traces">{}</a>)",
                  html_escape(url_encode(t.model)), html_escape(t.model))
            : html_escape(t.model);
    b += fmt::format(R"(<tr><td class="l">{}</td><td>{}</td><td>{}</td><td>{:.1f}%</td></tr>)", name, t.relabels,
                     t.traces_answered, cov);
  }
  if (v.teachers.empty()) b += R"(<tr><td class="l muted" colspan="4">no relabels</td></tr>)";
  b += "</table></div>";
  b += R"(<h2>Evaluation runs</h2>)";
  if (v.eval_runs.empty())
    b += R"(<p class="muted">No stored evaluation runs.</p>)";
  else {
    b += R"(<ul id="eval-runs">)";
    for (const CountRow& r : v.eval_runs)
      b += fmt::format(R"(<li><a href="{}">{}</a> {}</li>)", html_escape(r.href), html_escape(r.label),
                       html_escape(r.sublabel));
    b += fmt::format(R"(</ul><p><a href="/evals">all {} runs</a></p>)", v.eval_runs_total);
  }
  b += R"(<h2>Finetune registry</h2>)";
  if (!v.registry_problem.empty())
    b += "<p class=\"warn\">" + html_escape(v.registry_problem) + "</p>";
  else
    b += fmt::format(R"(<p><a href="/finetunes">{} entries</a> in {}</p>)", v.registry_entries,
                     html_escape(v.registry_path));
  return browser_document("Overview", "Overview", b);
}

std::string render_trace_list_page(const TraceListView& v) {
  std::string b = "<h1>Traces</h1>";
  b += R"(<form class="filters" method="get" action="/traces" role="search"><label>type<select name="type">)";
  b += option("", "any", v.type);
  for (const std::string& t : v.types) b += option(t, t, v.type);
  b += R"(</select></label><label>kind<select name="kind">)";
  for (auto k : {"", "Key", "Non-Obvious"}) b += option(k, *k ? k : "any", v.kind);
  b += "</select></label>";
  b += input("user", "user", v.user) + input("step", "agent step", v.step) + input("since", "since", v.since) +
       input("until", "until", v.until);
  b += fmt::format(R"(<label>request text<input type="search" id="q" name="q" value="{}"></label>)",
                   html_escape(v.text));
  b += fmt::format(
      R"(<label>relabel cost of teacher<input type="text" name="teacher" value="{}" placeholder="anthropic:MODEL"></label>)",
      html_escape(v.teacher));
  b += R"(<button type="submit">Filter</button> <a href="/traces">clear</a></form>)";
  b +=
      R"(<p class="meta">Newest first. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>/</kbd> search, <kbd>n</kbd> next page. Times: YYYY-MM-DD or RFC 3339 (UTC).</p>)";
  if (!v.error.empty()) b += "<p class=\"warn\" id=\"filter-error\">" + html_escape(v.error) + "</p>";
  b +=
      R"(<div class="scroll"><table class="list" id="traces"><tr><th class="l">time</th><th class="l">type</th><th class="l">kind</th><th class="l">user</th><th class="l">agent step</th><th class="l">request</th></tr>)";
  for (const TraceListRow& r : v.rows) {
    std::string req = r.request.size() > 160 ? r.request.substr(0, 160) + "…" : r.request;
    b += fmt::format(
        R"(<tr><td class="l"><a class="row-link" href="/traces/{}">{}</a></td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="req">{}</td></tr>)",
        url_encode(r.id), html_escape(r.time), html_escape(r.type), html_escape(r.kind), html_escape(r.user),
        html_escape(r.step), html_escape(req));
  }
  if (v.rows.empty()) b += R"(<tr><td class="l muted" colspan="6">no traces match</td></tr>)";
  b += "</table></div>";
  if (v.budget_hit)
    b += fmt::format(
        R"(<p class="meta">Text search read {} traces for this page; the next page goes on from there.</p>)",
        v.examined);
  if (v.relabel_cost) b += relabel_cost_text(*v.relabel_cost);
  b += R"(<div class="pager">)";
  if (!v.first_href.empty()) b += fmt::format(R"(<a href="{}">« newest</a>)", html_escape(v.first_href));
  if (!v.next_href.empty())
    b += fmt::format(R"(<a id="next" rel="next" href="{}">older »</a>)", html_escape(v.next_href));
  b += "</div>";
  return browser_document("Traces", "Traces", b);
}

std::string render_finetunes_page(const FinetunesView& v) {
  std::string b = "<h1>Finetune registry</h1><p class=\"meta\">" + html_escape(v.path) + "</p>";
  if (!v.problem.empty())
    return browser_document("Finetunes", "Finetunes", b + "<p class=\"warn\">" + html_escape(v.problem) + "</p>");
  b += fmt::format(
      R"(<div class="scroll"><table id="finetunes"><tr><th class="l">id</th><th class="l">date</th><th class="l">base</th><th class="l">teacher</th><th class="l">recipe</th><th>train</th><th>validation</th><th>tokens</th><th>epochs</th><th>cost (${:.2f}/1M)</th><th class="l">cost as written</th><th class="l">checks</th></tr>)",
      v.price_per_mtok);
  auto opt = [](const std::optional<int64_t>& x) { return x ? std::to_string(*x) : std::string("—"); };
  for (const Finetune& f : v.registry.finetunes) {
    auto cost = tuning_cost_usd(f, v.price_per_mtok);
    std::string written;
    for (const std::string& c : f.est_costs_as_written) written += (written.empty() ? "" : "<br>") + html_escape(c);
    std::string checks;
    for (const Finding& x : v.findings)
      if (x.id == f.id)
        checks += fmt::format(R"(<span class="tag">{}</span> {}<br>)", html_escape(x.kind), html_escape(x.reason));
    if (checks.empty()) checks = R"(<span class="tag ok">ok</span>)";
    b += fmt::format(
        R"(<tr id="ft-{}"><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td class="l">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="l">{}</td><td class="l">{}</td></tr>)",
        html_escape(f.id), html_escape(f.id), html_escape(f.date), html_escape(f.base_model), html_escape(f.teacher),
        html_escape(recipe_text(f.recipe)), opt(f.train_samples), opt(f.validation_samples), opt(f.tokens),
        opt(f.epochs), cost ? fmt::format("${:.2f}", *cost) : "—", written, checks);
  }
  b += "</table></div>";
  b += fmt::format(R"(<p class="meta">{} entries, {} findings.</p>)", v.registry.finetunes.size(), v.findings.size());
  return browser_document("Finetunes", "Finetunes", b);
}

}  // namespace pt
