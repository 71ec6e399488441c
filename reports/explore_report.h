// explore.html for an exploration directory (`ckptsim explore --out DIR`), rendered from
// DIR/summary.json and DIR/seeds.jsonl: seeds run, failures grouped by violated property
// with relative links to their traces and shrunk traces, fault kinds exercised, coverage
// marks reached and missed, and a chart of seeds/s over wall time. Self-contained (the
// Vega libraries are inlined, see html_page.h).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "protocol/base/status.h"
#include "reports/vega_bundle.h"

namespace ckptsim::reports {

Status validate_explore_summary_json(const nlohmann::json& summary);
// Parses seeds.jsonl text; a bad line is a kInvalidArgument "line N: ...".
Result<nlohmann::json> parse_seed_lines(const std::string& text);
// Precondition: both documents are valid.
std::string render_explore_report(const nlohmann::json& summary, const nlohmann::json& seeds, const VegaBundle& bundle);
// Reads DIR/summary.json and DIR/seeds.jsonl, writes DIR/explore.html. Errors name the file.
Status write_explore_report(const std::string& dir, const VegaBundle& bundle);

}  // namespace ckptsim::reports
