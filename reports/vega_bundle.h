// The Vega, Vega-Lite and Vega-Embed libraries that report.html and explore.html inline,
// so the pages open offline. scripts/fetch-vega installs them with npm; the build passes
// the directory as CKPTSIM_VEGA_DIR, and the environment variable of the same name
// overrides it (for a binary moved away from its build tree).
#pragma once

#include <string>

#include "protocol/base/status.h"

namespace ckptsim::reports {

struct VegaBundle {
  std::string vega_js;
  std::string vega_lite_js;
  std::string vega_embed_js;
};

// $CKPTSIM_VEGA_DIR if set, else the build's directory.
std::string default_vega_dir();
// Reads DIR/node_modules/{vega,vega-lite,vega-embed}/build/*.min.js. A missing or empty
// file is a kNotFound Status naming it and saying how to fetch the libraries.
Result<VegaBundle> load_vega_bundle(const std::string& dir);
// The script text made safe to inline in <script>: no "</script" and no source-map
// comment (which would make a browser with devtools open try to fetch a file).
std::string inline_script(std::string js);

}  // namespace ckptsim::reports
