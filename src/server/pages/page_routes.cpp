// The browser pages of `picktune serve` (issue 19): GET /, /traces, /traces/ID, /evals,
// /finetunes and /assets/pages.js. Read-only; every response carries a Content-Security-Policy
// that allows only our own script file, so even a text that escaped escaping could not run.
#include <httplib.h>

#include "report/html/browser_views.h"
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
      PT_ASSIGN_OR_RETURN(TraceListView v, trace_list_view(s->store(), params_of(req)));
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
  // Stored evaluation runs arrive with the eval-runs store (issue 17); until then the page says so.
  h.Get("/evals", [](const httplib::Request&, httplib::Response& res) {
    send_html(res, 200,
              render_message_page("Evaluation runs",
                                  "This store keeps no evaluation runs yet: `picktune eval score --html FILE` writes "
                                  "a report file. Stored runs and their comparison come with the eval-runs store."));
  });
  h.Get("/assets/pages.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(kPagesJs, "text/javascript; charset=utf-8");
  });
}

}  // namespace pt::server
