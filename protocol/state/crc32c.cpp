#include "protocol/state/crc32c.h"

#include <array>
#include <cstring>

namespace ckptsim {
namespace {

constexpr std::uint32_t kReflectedPolynomial = 0x82F63B78u;

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr SliceTables make_slice_tables() {
  SliceTables tables{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) != 0 ? kReflectedPolynomial : 0u);
    tables[0][b] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) {
      const std::uint32_t previous = tables[k - 1][b];
      tables[k][b] = (previous >> 8) ^ tables[0][previous & 0xFFu];
    }
  }
  return tables;
}

constexpr SliceTables kSliceTables = make_slice_tables();

std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

// Works on the inverted register (no pre/post inversion).
std::uint32_t extend_raw_portable(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
  while (n >= 8) {
    const std::uint64_t word = load_le64(p) ^ crc;
    crc = kSliceTables[7][word & 0xFF] ^ kSliceTables[6][(word >> 8) & 0xFF] ^
          kSliceTables[5][(word >> 16) & 0xFF] ^ kSliceTables[4][(word >> 24) & 0xFF] ^
          kSliceTables[3][(word >> 32) & 0xFF] ^ kSliceTables[2][(word >> 40) & 0xFF] ^
          kSliceTables[1][(word >> 48) & 0xFF] ^ kSliceTables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    crc = (crc >> 8) ^ kSliceTables[0][(crc ^ *p) & 0xFF];
    ++p;
    --n;
  }
  return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CKPTSIM_CRC32C_HARDWARE 1

// The SSE 4.2 `crc32` instruction computes exactly CRC-32C on the inverted register.
// Enabled per function, so the rest of the build keeps its baseline instruction set.
__attribute__((target("sse4.2"))) std::uint32_t extend_raw_hardware(std::uint32_t crc, const std::uint8_t* p,
                                                                   std::size_t n) {
  std::uint64_t crc64 = crc;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);  // the instruction reads little-endian, as x86 is
    crc64 = __builtin_ia32_crc32di(crc64, word);
    p += 8;
    n -= 8;
  }
  auto crc32 = static_cast<std::uint32_t>(crc64);
  while (n > 0) {
    crc32 = __builtin_ia32_crc32qi(crc32, *p);
    ++p;
    --n;
  }
  return crc32;
}

bool cpu_has_sse42() {
  // Immutable after its first use. __builtin_cpu_init makes the query safe even from
  // code that runs before static constructors.
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return has;
}
#endif

}  // namespace

std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::span<const std::uint8_t> data) {
  return ~extend_raw_portable(~crc, data.data(), data.size());
}

std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::uint8_t> data) {
#ifdef CKPTSIM_CRC32C_HARDWARE
  if (cpu_has_sse42()) return ~extend_raw_hardware(~crc, data.data(), data.size());
#endif
  return crc32c_extend_portable(crc, data);
}

}  // namespace ckptsim
