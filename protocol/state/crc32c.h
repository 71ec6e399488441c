// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of
// iSCSI, ext4, LevelDB and RocksDB, used for snapshot sections, whole snapshots and
// stored blobs.
//
// Why CRC-32C and not a hash: a CRC detects every burst of errors up to 32 bits long,
// so any damage confined to one byte (or four consecutive bytes) of a checksummed
// range is detected with certainty, not merely with high probability.
//
// Contract:
//  * crc32c_extend(crc32c(a), b) == crc32c(a ++ b): checksums can be computed
//    incrementally, in any chunking, with identical results.
//  * The value is a pure function of the bytes: the hardware path (SSE 4.2 `crc32`
//    instruction, chosen at run time when the CPU has it) and the portable table path
//    compute the same function, bit for bit, on every platform.
//  * Check value: crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <span>

namespace ckptsim {

// Extends `crc` (the CRC-32C of the bytes before `data`; 0 for none) over `data`.
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::uint8_t> data);

inline std::uint32_t crc32c(std::span<const std::uint8_t> data) { return crc32c_extend(0, data); }

// The portable table-driven path alone, exposed so tests can compare it with the
// hardware path that crc32c_extend may pick.
std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::span<const std::uint8_t> data);

}  // namespace ckptsim
