// Sorting state entries into the canonical order (key, then name space), the hot
// part of taking a snapshot.
//
// Large runs use a least-significant-digit radix sort on the 96-bit (key, name space)
// composite: 12 byte-wide counting passes, all histograms built in one read, and
// every pass whose byte is the same for all entries skipped (name spaces are usually
// all equal, so typically only the 8 key passes run). Small runs use std::sort, whose
// constant factors win there. For distinct (key, name space) pairs, as in a backend,
// the sorted order is unique; entries with equal pairs end up adjacent in an
// unspecified relative order.
#pragma once

#include <vector>

#include "protocol/state/state_value.h"

namespace ckptsim {

// Sorts `entries` by (key, name space). `scratch` is working space, reused across
// calls to avoid allocation; its content afterwards is unspecified.
void sort_entries(std::vector<StateEntry>& entries, std::vector<StateEntry>& scratch);

}  // namespace ckptsim
