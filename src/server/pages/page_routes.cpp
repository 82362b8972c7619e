// The browser pages of `picktune serve` (issue 19): GET /, /traces, /traces/ID, /evals,
// /evals/RUN, /evals/compare, /finetunes and /assets/pages.js. Read-only; every response carries a
// Content-Security-Policy that allows only our own script file, so even a text that escaped escaping could not run.
#include <httplib.h>

#include <algorithm>

#include "pipeline/eval/eval_runs.h"
#include "pipeline/eval/eval_trend.h"
#include "report/html/browser_views.h"
#include "report/html/eval_pages.h"
#include "server/pages/page_data.h"
#include "server/server.h"

namespace pt::server {
namespace {

// Keyboard use of the trace table: j/k move the selection, Enter opens it, / focuses the search,
// n goes to the next page. Plain links and forms work without it.
constexpr const char* kPagesJs = R"js('use strict';
(function () {
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('a.row-link')); }
  var sel = -1;
  function select(i) {
    var r = rows();
    if (!r.length) return;
    sel = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (a, k) { a.closest('tr').classList.toggle('sel', k === sel); });
    r[sel].focus();
  }
  document.addEventListener('keydown', function (ev) {
    var t = ev.target && ev.target.tagName;
    if (t === 'INPUT' || t === 'SELECT' || t === 'TEXTAREA' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'j') { select(sel + 1); ev.preventDefault(); }
    else if (ev.key === 'k') { select(sel - 1); ev.preventDefault(); }
    else if (ev.key === '/') { var q = document.getElementById('q'); if (q) { q.focus(); ev.preventDefault(); } }
    else if (ev.key === 'n') { var n = document.getElementById('next'); if (n) n.click(); }
  });
})();
)js";

Params params_of(const httplib::Request& req) {
  Params p;
  for (const auto& [k, v] : req.params) p.emplace(k, v);  // multimap: the first value wins
  return p;
}

void send_html(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
                 "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

// A usage error (no such run, an ambiguous prefix) is a 404 naming it; anything else a 500.
void send_error(httplib::Response& res, const Error& error) {
  if (error.kind == ErrorKind::usage)
    send_html(res, 404, render_message_page("Not found", error.message));
  else
    send_html(res, 500, render_message_page("Store error", error.message));
}

template <class F>
void page(httplib::Response& res, F&& make) {
  auto html = make();
  if (html.ok())
    send_html(res, 200, *html);
  else
    send_html(res, 500, render_message_page("Store error", html.error().message));
}

}  // namespace

void register_page_routes(Server& server) {
  httplib::Server& h = server.http();
  Server* s = &server;
  h.Get("/", [s](const httplib::Request&, httplib::Response& res) {
    page(res, [&]() -> Result<std::string> {
      PT_ASSIGN_OR_RETURN(OverviewView v, overview_view(s->store(), s->options().registry_path));
      return render_overview_page(v);
    });
  });
  h.Get("/traces", [s](const httplib::Request& req, httplib::Response& res) {
    page(res, [&]() -> Result<std::string> {
      PT_ASSIGN_OR_RETURN(TraceListView v, trace_list_view(s->store(), params_of(req), s->options().registry_path));
      return render_trace_list_page(v);
    });
  });
  h.Get(R"(/traces/([^/]+))", [s](const httplib::Request& req, httplib::Response& res) {
    std::string id = httplib::detail::decode_url(req.matches[1], false);
    auto v = trace_detail_view(s->store(), id);
    if (!v.ok()) return send_html(res, 500, render_message_page("Store error", v.error().message));
    if (!*v) return send_html(res, 404, render_message_page("No such trace", "No trace with id " + id + "."));
    send_html(res, 200, render_trace_detail_page(**v));
  });
  h.Get("/finetunes", [s](const httplib::Request&, httplib::Response& res) {
    send_html(res, 200, render_finetunes_page(finetunes_view(s->options().registry_path)));
  });
  // ?metric=NAME (default jaccard) and ?reference=MODEL (default: the newest run's) choose the chart.
  h.Get("/evals", [s](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.has_param("metric") ? req.get_param_value("metric") : "jaccard";
    std::optional<Metric> metric = metric_from_name(name);
    if (!metric) {
      std::string names;
      for (int k = 0; k < kMetricCount; ++k)
        names += (k ? ", " : "") + std::string(metric_name(static_cast<Metric>(k)));
      return send_html(
          res, 400,
          render_message_page("Unknown metric", "?metric=" + name + " is not a stored metric; one of: " + names + "."));
    }
    page(res, [&]() -> Result<std::string> {
      PT_ASSIGN_OR_RETURN(std::vector<EvalRun> runs, load_eval_runs(s->store()));
      if (runs.empty()) return render_eval_runs_page(runs, s->store().describe());
      std::string reference = req.get_param_value("reference");
      if (reference.empty()) reference = runs.back().summary.reference;
      MetricTrend trend = metric_trend(runs, reference, *metric);
      std::reverse(runs.begin(), runs.end());
      return render_eval_runs_page(runs, s->store().describe(), &trend);
    });
  });
  // Registered before /evals/RUN so "compare" is not taken for a run id.
  h.Get("/evals/compare", [s](const httplib::Request& req, httplib::Response& res) {
    std::string a = req.get_param_value("a"), b = req.get_param_value("b");
    if (a.empty() || b.empty())
      return send_html(res, 400,
                       render_message_page("Compare evaluation runs",
                                           "Give two runs: /evals/compare?a=BEFORE&b=AFTER (an id, a unique prefix, "
                                           "last or last~N)."));
    auto c = compare_stored_eval_runs(s->store(), a, b);
    if (!c.ok()) return send_error(res, c.error());
    send_html(res, 200, render_eval_compare_page(*c));
  });
  h.Get(R"(/evals/([^/]+))", [s](const httplib::Request& req, httplib::Response& res) {
    std::string ref = httplib::detail::decode_url(req.matches[1], false);
    auto run = find_eval_run(s->store(), ref);
    if (!run.ok()) return send_error(res, run.error());
    auto previous = previous_eval_run(s->store(), run->id);
    if (!previous.ok()) return send_error(res, previous.error());
    send_html(res, 200, render_eval_run_page(*run, *previous));
  });
  h.Get("/assets/pages.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(kPagesJs, "text/javascript; charset=utf-8");
  });
}

}  // namespace pt::server
