// Shared helpers for the file-storage tests: a scratch directory that cleans up after
// itself, and small byte helpers.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/env/blob_store.h"

namespace ckptsim::testing {

// A fresh directory under the system's temporary directory, removed with everything in
// it when the object goes away.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ckptsim-file-test-XXXXXX").string();
    CKPT_ASSERT(::mkdtemp(pattern.data()) != nullptr, "mkdtemp creates a scratch directory");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

// Deterministic, position-dependent content (so misplaced bytes are visible).
inline Bytes patterned_bytes(std::size_t size, std::uint8_t seed) {
  Bytes bytes;
  bytes.reserve(size);
  for (std::size_t i = 0; i < size; ++i) bytes.push_back(static_cast<std::uint8_t>(seed + i * 131 + (i >> 8)));
  return bytes;
}

// Every regular file below root, as paths relative to it, sorted.
inline std::vector<std::string> files_below(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(std::filesystem::relative(entry.path(), root).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace ckptsim::testing
