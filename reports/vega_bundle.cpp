#include "reports/vega_bundle.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ckptsim::reports {
namespace {

#ifndef CKPTSIM_VEGA_DIR
#define CKPTSIM_VEGA_DIR "build/vega"
#endif

Result<std::string> read_library(const std::string& dir, const std::string& package, const std::string& file) {
  const std::filesystem::path path = std::filesystem::path(dir) / "node_modules" / package / "build" / file;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    return Status::not_found("the chart library " + path.string() +
                             " is missing; fetch it with `scripts/fetch-vega " + dir +
                             "` (the build runs it) or point CKPTSIM_VEGA_DIR at a directory that has it");
  }
  return text.str();
}

}  // namespace

std::string default_vega_dir() {
  const char* from_environment = std::getenv("CKPTSIM_VEGA_DIR");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return CKPTSIM_VEGA_DIR;
}

Result<VegaBundle> load_vega_bundle(const std::string& dir) {
  VegaBundle bundle;
  Result<std::string> vega = read_library(dir, "vega", "vega.min.js");
  if (!vega.is_ok()) return vega.status();
  Result<std::string> vega_lite = read_library(dir, "vega-lite", "vega-lite.min.js");
  if (!vega_lite.is_ok()) return vega_lite.status();
  Result<std::string> vega_embed = read_library(dir, "vega-embed", "vega-embed.min.js");
  if (!vega_embed.is_ok()) return vega_embed.status();
  bundle.vega_js = std::move(vega).value();
  bundle.vega_lite_js = std::move(vega_lite).value();
  bundle.vega_embed_js = std::move(vega_embed).value();
  return bundle;
}

std::string inline_script(std::string js) {
  std::string out;
  out.reserve(js.size());
  std::istringstream lines(js);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("//# sourceMappingURL=", 0) == 0) continue;
    std::size_t at = 0;
    while ((at = line.find("</script", at)) != std::string::npos) {
      line.replace(at, 2, "<\\/");
      at += 3;
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace ckptsim::reports
