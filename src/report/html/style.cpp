// Implementation of report/html/style.h.
#include "report/html/style.h"

#include "report/html/escape.h"

namespace pt {

namespace {

constexpr std::string_view kStyle = R"(
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa;overflow-wrap:anywhere}
main{max-width:1240px;margin:0 auto;padding:20px 28px 60px}
@media (max-width:600px){main{padding:12px 10px 40px}}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
a{color:#1a5fb4}a:focus-visible,button:focus-visible,summary:focus-visible,input:focus-visible,select:focus-visible{outline:2px solid #f28e2b;outline-offset:2px}
nav.top{background:#24292f;padding:8px 28px;display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center}
nav.top a{color:#fff;text-decoration:none}nav.top a[aria-current]{font-weight:700;text-decoration:underline}
nav.top .brand{font-weight:700;margin-right:10px}
.meta{color:#555}.warn{background:#fff4e0;border:1px solid #f0c080;padding:8px 14px;border-radius:4px}
.verdict{background:#eef6ee;border:1px solid #9c9;border-radius:6px;padding:12px 16px;margin:12px 0;font-size:15px}
.verdict.unsure{background:#fff8e6;border-color:#e0c070}
dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:8px 0}
dl.provenance dt{font-weight:600;color:#444}dl.provenance dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;background:#fff;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f0f0}td.l,th.l{text-align:left}th,td{overflow-wrap:normal}td.l{white-space:nowrap}#scores td.l,#by-kind td.l,#pairs td.l{white-space:normal;overflow-wrap:anywhere;min-width:9em}#scores .ci,#by-kind .ci,#pairs .ci{white-space:normal}.ci{color:#777;font-size:11px;display:block;white-space:nowrap}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(290px,100%),1fr));gap:10px}
svg{max-width:100%;height:auto}
.charts svg,.wide svg{background:#fff;border:1px solid #e4e4e4;border-radius:4px}
.wide{overflow-x:auto;max-width:100%}
.trace,.card{background:#fff;border:1px solid #ddd;border-radius:4px;padding:10px 14px;margin:12px 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:8px;margin:6px 0;max-height:320px;overflow:auto;font-size:12px}
.cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(260px,100%),1fr));gap:10px}
.cols>div{background:#fff;border:1px solid #e4e4e4;border-radius:4px;padding:6px 10px;min-width:0}
ol.files,.cols ol{margin:4px 0;padding-left:22px;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.hit{color:#1a7f37}.miss{color:#a33}.halluc{color:#a33;text-decoration:line-through}
.tag{font:11px system-ui,sans-serif;color:#fff;background:#c77;border-radius:3px;padding:0 4px;margin-left:4px;text-decoration:none;display:inline-block}
.tag.ok{background:#5a5}
.muted{color:#888}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(220px,100%),1fr));gap:10px}
.stats .card{margin:0}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:10px 0}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555;min-width:0}
form.filters input,form.filters select{font:inherit;padding:3px 6px;max-width:100%}
table.list td.req{text-align:left;max-width:520px;min-width:220px;overflow-wrap:anywhere}
#finetunes td.l{white-space:normal;min-width:90px}
table.list tr.sel{background:#fff6d8}
details>summary{cursor:pointer;font-weight:600}
.pager{margin:12px 0;display:flex;gap:16px;flex-wrap:wrap}
)";

}  // namespace

std::string_view stylesheet() { return kStyle; }

std::string html_document(std::string_view title, std::string_view body, std::string_view head_extra) {
  std::string out = R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)"
                    R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  out += "<title>" + html_escape(title) + "</title><style>";
  out += kStyle;
  out += "</style>";
  out += head_extra;
  out += "</head><body>";
  out += body;
  out += "</body></html>\n";
  return out;
}

}  // namespace pt
