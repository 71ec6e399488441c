// Helpers shared by the scenario-run tests.
#pragma once

#include <sstream>
#include <string>

#include "reports/run_summary.h"

namespace ckptsim::testing {

// The run's human summary (verdict per checker, violations, unmet expectations), for
// INFO() and RC_LOG() when a run check fails.
inline std::string summary_text(const reports::RunSummary& summary) {
  std::ostringstream out;
  reports::print_summary(summary, out);
  return out.str();
}

}  // namespace ckptsim::testing
