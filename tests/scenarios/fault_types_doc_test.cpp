// The fault reference in docs/scenario-format.md is the generated one, so the
// documentation lists every fault type the loader accepts, with its current fields.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "scenarios/fault_types_doc.h"
#include "scenarios/scenario_faults.h"

using namespace ckptsim::scenarios;

TEST_CASE("docs: the scenario format's fault reference is generated from the fault table", "[unit][docs]") {
  std::ifstream file("docs/scenario-format.md");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  const std::size_t begin = doc.find(kFaultTypesDocBegin);
  const std::size_t end = doc.find(kFaultTypesDocEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  REQUIRE(begin < end);
  const std::string embedded = doc.substr(begin + kFaultTypesDocBegin.size(), end - begin - kFaultTypesDocBegin.size());
  INFO("regenerate with: build/release/ckptsim fault-types (and paste between the markers)");
  CHECK(embedded == "\n" + fault_types_markdown());
}

TEST_CASE("docs: every fault type has a section in the generated reference", "[unit][docs]") {
  const std::string markdown = fault_types_markdown();
  for (const FaultTypeInfo& type : fault_types()) {
    CHECK(markdown.find("### `" + std::string(type.type) + "`") != std::string::npos);
  }
}
