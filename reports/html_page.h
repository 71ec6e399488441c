// The skeleton shared by report.html and explore.html: one self-contained page with its
// CSS, the inlined Vega libraries, the chart specifications as an inline JSON block, and
// a script that renders every chart with vegaEmbed. When all charts have rendered the
// page sets <body data-charts-rendered="N"> (N = charts with an SVG) and appends " [charts
// rendered]" to document.title; on a failure it sets data-charts-error and logs a console
// error. Nothing is fetched from the network.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/vega_bundle.h"

namespace ckptsim::reports {

struct Chart {
  std::string id;            // element id, [a-z0-9-]+
  std::string title;         // shown above the chart
  std::string note;          // one line under the title (what is plotted, units)
  nlohmann::json spec;       // a Vega-Lite specification with inline data
};

std::string html_escape(std::string_view text);
// JSON text safe inside <script type="application/json">: '<', '>' and '&' as \u escapes.
std::string json_for_script(const nlohmann::json& json);
// The <div> a chart renders into, with its title and note.
std::string chart_container(const Chart& chart);
// The whole page; `body` is HTML already escaped by the caller.
std::string html_page(std::string_view title, std::string_view body, const std::vector<Chart>& charts,
                      const VegaBundle& bundle);

}  // namespace ckptsim::reports
