#include "reports/html_page.h"

namespace ckptsim::reports {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #1f2328; max-width: 1300px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; } .skipped { color: #6e7781; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; color: white; font-weight: 600; }
.badge.pass { background: #1a7f37; color: white; } .badge.fail { background: #cf222e; color: white; }
.meta { color: #57606a; font-size: 13px; } code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
.chart { margin: 12px 0 20px 0; } .chart h3 { font-size: 14px; margin: 0; } .chart .note { color: #57606a; font-size: 12px; margin: 2px 0 6px 0; }
.violation { border-left: 4px solid #cf222e; padding: 4px 12px; background: #fff5f5; margin: 8px 0; }
tr.failed td { background: #fff5f5; } tr.highlight td { background: #fff8c5; font-weight: 600; }
)css";

// Installed before the libraries: records every script error, failed resource load,
// unhandled rejection and console.error, so a test (and a reader) sees them in the DOM.
constexpr std::string_view kErrorCaptureScript = R"js(
window.ckptsimErrors = [];
window.addEventListener('error', function (e) {
  var what = e.message || (e.target && (e.target.src || e.target.href)) || 'unknown error';
  window.ckptsimErrors.push('error: ' + what);
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.ckptsimErrors.push('unhandled rejection: ' + (e.reason && e.reason.message ? e.reason.message : String(e.reason)));
});
(function () {
  var original = console.error;
  console.error = function () {
    window.ckptsimErrors.push('console.error: ' + Array.prototype.slice.call(arguments).join(' '));
    return original.apply(console, arguments);
  };
})();
)js";

constexpr std::string_view kRenderScript = R"js(
(function () {
  var charts = JSON.parse(document.getElementById('ckptsim-charts').textContent);
  var runs = charts.map(function (c) {
    return vegaEmbed('#' + c.id, c.spec, {actions: false, renderer: 'svg'});
  });
  function showErrors() {
    var errors = window.ckptsimErrors;
    document.body.setAttribute('data-console-errors', String(errors.length));
    if (errors.length === 0) return;
    var box = document.createElement('pre');
    box.id = 'ckptsim-errors';
    box.className = 'violation';
    box.textContent = errors.join('\n');
    document.body.insertBefore(box, document.body.firstChild);
  }
  Promise.all(runs).then(function () {
    var rendered = charts.filter(function (c) {
      return document.querySelector('#' + c.id + ' svg') !== null;
    }).length;
    document.body.setAttribute('data-charts-rendered', String(rendered));
    document.body.setAttribute('data-charts-total', String(charts.length));
    document.title = document.title + ' [charts rendered]';
    showErrors();
  }).catch(function (error) {
    document.body.setAttribute('data-charts-error', String(error));
    console.error('ckptsim: a chart failed to render: ' + error);
    showErrors();
  });
})();
)js";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& json) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string chart_container(const Chart& chart) {
  std::string html = "<div class=\"chart\"><h3>" + html_escape(chart.title) + "</h3>";
  if (!chart.note.empty()) html += "<p class=\"note\">" + html_escape(chart.note) + "</p>";
  html += "<div id=\"" + html_escape(chart.id) + "\" data-chart=\"" + html_escape(chart.id) + "\"></div></div>\n";
  return html;
}

std::string html_page(std::string_view title, std::string_view body, const std::vector<Chart>& charts,
                      const VegaBundle& bundle) {
  nlohmann::json specs = nlohmann::json::array();
  for (const Chart& c : charts) specs.push_back({{"id", c.id}, {"spec", c.spec}});
  std::string page;
  page.reserve(bundle.vega_js.size() + bundle.vega_lite_js.size() + bundle.vega_embed_js.size() + body.size() + 65536);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  page += html_escape(title);
  page += "</title>\n<style>";
  page += kStyle;
  page += "</style>\n<script>";
  page += kErrorCaptureScript;
  page += "</script>\n<script>\n" + inline_script(bundle.vega_js) + "</script>\n";
  page += "<script>\n" + inline_script(bundle.vega_lite_js) + "</script>\n";
  page += "<script>\n" + inline_script(bundle.vega_embed_js) + "</script>\n";
  page += "</head>\n<body>\n";
  page += body;
  page += "\n<script type=\"application/json\" id=\"ckptsim-charts\">";
  page += json_for_script(specs);
  page += "</script>\n<script>";
  page += kRenderScript;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace ckptsim::reports
