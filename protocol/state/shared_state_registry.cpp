#include "protocol/state/shared_state_registry.h"

#include <algorithm>

#include "protocol/base/assert.h"

namespace ckptsim {

void SharedStateRegistry::register_checkpoint(CheckpointId id, std::vector<std::string> files) {
  CKPT_ASSERT(checkpoints_.count(id) == 0, "a checkpoint registers its shared files once");
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  for (const std::string& file : files) ++counts_[file];
  checkpoints_.emplace(id, std::move(files));
}

std::vector<std::string> SharedStateRegistry::unregister_checkpoint(CheckpointId id) {
  std::vector<std::string> unreferenced;
  auto it = checkpoints_.find(id);
  if (it == checkpoints_.end()) return unreferenced;
  for (const std::string& file : it->second) {
    auto count = counts_.find(file);
    CKPT_ASSERT(count != counts_.end(), "a registered file is counted");
    CKPT_ASSERT(count->second >= 1, "a counted file has a reference");
    if (--count->second == 0) {
      counts_.erase(count);
      unreferenced.push_back(file);
    }
  }
  checkpoints_.erase(it);
  return unreferenced;  // sorted: the checkpoint's list is sorted
}

std::uint32_t SharedStateRegistry::reference_count(const std::string& file) const {
  auto it = counts_.find(file);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<CheckpointId> SharedStateRegistry::registered_checkpoints() const {
  std::vector<CheckpointId> ids;
  for (const auto& [id, files] : checkpoints_) ids.push_back(id);
  return ids;
}

std::vector<std::string> SharedStateRegistry::referenced_files() const {
  std::vector<std::string> files;
  for (const auto& [file, count] : counts_) files.push_back(file);
  return files;
}

}  // namespace ckptsim
