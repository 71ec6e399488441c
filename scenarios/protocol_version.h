// The version of the simulated world a trace was recorded with: the protocol code, the
// simulator's event model and the oracle together. Traces carry it so that a replay by
// a different build can say up front why the run may diverge.
//
// Contract: bump kProtocolVersion in the same change as anything that intentionally
// changes which events a given scenario and seed produce (a protocol fix, a new event
// kind, a different random draw) or what the oracle reports. A replay whose build has
// another version still runs; it warns, and a divergence is then expected rather than a
// sign of nondeterminism.
#pragma once

#include <string_view>

namespace ckptsim::scenarios {

inline constexpr std::string_view kProtocolVersion = "ckptsim-protocol-2";

}  // namespace ckptsim::scenarios
