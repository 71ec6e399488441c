// 128-bit unsigned integers for exact 64x64 multiplication (hash mixing, unbiased
// bounded randomness, bytes*ns/bandwidth). A GCC/Clang extension, named once here so
// -Wpedantic stays on for everything else.
#pragma once

namespace ckptsim {
__extension__ typedef unsigned __int128 Uint128;
}  // namespace ckptsim
