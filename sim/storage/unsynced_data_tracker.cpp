#include "sim/storage/unsynced_data_tracker.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ckptsim::sim {
namespace {

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::size_t depth_of(const std::string& path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

// Whole-file rewrite on the base file system. Not synced: the base stands for the
// disk after the power loss, and the model counts what it holds now as durable.
Status write_whole(FileSystem& fs, const std::string& path, std::span<const std::uint8_t> bytes) {
  Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  Status status = file.value()->append(bytes);
  Status closed = file.value()->close();
  return status.is_ok() ? closed : status;
}

Status remove_tree(FileSystem& fs, const std::string& path, std::size_t depth_left) {
  CKPT_ASSERT(depth_left > 0, "directory tree deeper than the bound");
  Result<std::vector<DirEntry>> entries = fs.list_dir(path, std::size_t{1} << 20);
  if (!entries.is_ok()) return entries.status().code() == StatusCode::kNotFound ? Status::ok() : entries.status();
  for (const DirEntry& entry : entries.value()) {
    const std::string child = join_path(path, entry.name);
    Status s = entry.is_directory ? remove_tree(fs, child, depth_left - 1) : fs.remove_file(child);
    if (!s.is_ok() && s.code() != StatusCode::kNotFound) return s;
  }
  Status s = fs.remove_dir(path);
  return s.code() == StatusCode::kNotFound ? Status::ok() : s;
}

constexpr std::size_t kMaxTreeDepth = 64;

}  // namespace

struct UnsyncedDataTracker::Restore {
  std::string path;
  bool in_place = false;       // the file is still there under its durable name: cut it
  std::uint64_t length = 0;    // in place: the length to keep
  Bytes content;               // otherwise: the durable content to write back
};

UnsyncedDataTracker::UnsyncedDataTracker(FileSystem& base, std::size_t max_tracked_files)
    : base_(base), max_tracked_files_(max_tracked_files) {
  CKPT_ASSERT(max_tracked_files_ > 0, "the tracker needs room for at least one file");
}

Result<UnsyncedDataTracker::Directory*> UnsyncedDataTracker::track(const std::string& path) {
  if (const auto it = directories_.find(path); it != directories_.end()) return &it->second;
  Result<std::vector<DirEntry>> entries = base_.list_dir(path, max_tracked_files_);
  if (!entries.is_ok()) return entries.status();  // the base operation would fail the same way
  Directory directory;
  for (const DirEntry& entry : entries.value()) {
    Entry tracked{entry.is_directory, 0};
    if (!entry.is_directory) {
      Result<std::uint64_t> size = base_.file_size(join_path(path, entry.name));
      if (!size.is_ok()) return size.status();
      tracked.inode = new_inode(size.value(), true);
    }
    directory.current.emplace(entry.name, tracked);
  }
  directory.durable = directory.current;  // first seen: taken as durable
  return &directories_.emplace(path, std::move(directory)).first->second;
}

UnsyncedDataTracker::InodeId UnsyncedDataTracker::new_inode(std::uint64_t size, bool durable) {
  CKPT_ASSERT(inodes_.size() < max_tracked_files_, "more tracked files than the bound");
  const InodeId id = next_inode_++;
  Inode& inode = inodes_[id];
  inode.written_bytes = size;
  inode.synced_bytes = durable ? size : 0;
  inode.durable_names = durable ? 1 : 0;
  inode.has_current_name = true;
  return id;
}

Result<UnsyncedDataTracker::SavedCopy> UnsyncedDataTracker::save_if_needed(const Directory& directory,
                                                                           const std::string& name,
                                                                           const std::string& path) {
  const auto it = directory.current.find(name);
  if (it == directory.current.end() || it->second.is_directory) return SavedCopy{};
  const Inode& inode = inodes_.at(it->second.inode);
  if (inode.durable_names == 0 || inode.detached_copy.has_value()) return SavedCopy{};
  Result<Bytes> bytes = base_.read_file_range(path, 0, inode.synced_bytes);
  if (!bytes.is_ok()) return bytes.status();
  return SavedCopy{std::move(bytes).value()};
}

void UnsyncedDataTracker::detach(InodeId id, SavedCopy saved) {
  Inode& inode = inodes_.at(id);
  inode.has_current_name = false;
  if (saved.has_value() && !inode.detached_copy.has_value()) inode.detached_copy = std::move(saved);
  CKPT_ASSERT(inode.durable_names == 0 || inode.detached_copy.has_value(),
              "a durably named file losing its last name keeps a copy of its durable bytes");
  forget_if_unreferenced(id);
}

void UnsyncedDataTracker::forget_if_unreferenced(InodeId id) {
  const auto it = inodes_.find(id);
  if (it != inodes_.end() && it->second.durable_names == 0 && !it->second.has_current_name) inodes_.erase(it);
}

// --- directory operations ---

Status UnsyncedDataTracker::prepare_directory_change(const std::string& path) {
  Result<Directory*> parent = track(parent_of(path));
  return parent.is_ok() ? Status::ok() : parent.status();
}

void UnsyncedDataTracker::commit_create_dir(const std::string& path) {
  Directory& parent = directories_.at(parent_of(path));
  const std::string name = name_of(path);
  if (parent.current.count(name) != 0) return;  // it existed: nothing changes
  parent.current[name] = Entry{true, 0};
  Directory& created = directories_[path];
  created.current.clear();
  const auto durable = parent.durable.find(name);
  if (durable == parent.durable.end() || !durable->second.is_directory) {
    for (const auto& [child, entry] : created.durable) {
      if (!entry.is_directory) --inodes_.at(entry.inode).durable_names;
    }
    std::vector<InodeId> released;
    for (const auto& [child, entry] : created.durable) released.push_back(entry.inode);
    created.durable.clear();
    for (const InodeId id : released) forget_if_unreferenced(id);
  }
}

void UnsyncedDataTracker::commit_remove_dir(const std::string& path) {
  directories_.at(parent_of(path)).current.erase(name_of(path));
  if (const auto it = directories_.find(path); it != directories_.end()) {
    CKPT_ASSERT(it->second.current.empty(), "only empty directories are removed");
  }
}

Status UnsyncedDataTracker::prepare_sync_dir(const std::string& path) {
  Result<Directory*> directory = track(path);
  return directory.is_ok() ? Status::ok() : directory.status();
}

void UnsyncedDataTracker::commit_sync_dir(const std::string& path) {
  Directory& directory = directories_.at(path);
  std::vector<InodeId> released;
  for (const auto& [name, entry] : directory.durable) {
    if (entry.is_directory) continue;
    --inodes_.at(entry.inode).durable_names;
    released.push_back(entry.inode);
  }
  directory.durable = directory.current;
  for (const auto& [name, entry] : directory.durable) {
    if (!entry.is_directory) ++inodes_.at(entry.inode).durable_names;
  }
  for (const InodeId id : released) forget_if_unreferenced(id);
}

// --- file operations ---

Result<UnsyncedDataTracker::SavedCopy> UnsyncedDataTracker::prepare_replace(const std::string& path) {
  Result<Directory*> parent = track(parent_of(path));
  if (!parent.is_ok()) return parent.status();
  return save_if_needed(*parent.value(), name_of(path), path);
}

UnsyncedDataTracker::InodeId UnsyncedDataTracker::commit_new_file(const std::string& path, SavedCopy saved) {
  Directory& parent = directories_.at(parent_of(path));
  const std::string name = name_of(path);
  if (const auto it = parent.current.find(name); it != parent.current.end()) {
    CKPT_ASSERT(!it->second.is_directory, "a file replaced a directory");
    detach(it->second.inode, std::move(saved));
  }
  const InodeId id = new_inode(0, false);
  parent.current[name] = Entry{false, id};
  return id;
}

void UnsyncedDataTracker::commit_remove_file(const std::string& path, SavedCopy saved) {
  Directory& parent = directories_.at(parent_of(path));
  const auto it = parent.current.find(name_of(path));
  CKPT_ASSERT(it != parent.current.end() && !it->second.is_directory, "a removed file was tracked");
  const InodeId id = it->second.inode;
  parent.current.erase(it);
  detach(id, std::move(saved));
}

Result<UnsyncedDataTracker::SavedCopy> UnsyncedDataTracker::prepare_rename(const std::string& from,
                                                                           const std::string& to) {
  Result<Directory*> from_parent = track(parent_of(from));
  if (!from_parent.is_ok()) return from_parent.status();
  Result<Directory*> to_parent = track(parent_of(to));
  if (!to_parent.is_ok()) return to_parent.status();
  const auto source = from_parent.value()->current.find(name_of(from));
  if (source == from_parent.value()->current.end()) return SavedCopy{};  // the base rename fails
  CKPT_ASSERT(!source->second.is_directory, "directory renames are not modelled");
  const auto target = to_parent.value()->current.find(name_of(to));
  if (target != to_parent.value()->current.end() && target->second == source->second) return SavedCopy{};
  return save_if_needed(*to_parent.value(), name_of(to), to);
}

void UnsyncedDataTracker::commit_rename(const std::string& from, const std::string& to, SavedCopy saved) {
  Directory& from_parent = directories_.at(parent_of(from));
  const auto source = from_parent.current.find(name_of(from));
  CKPT_ASSERT(source != from_parent.current.end(), "a renamed file was tracked");
  const Entry moved = source->second;
  from_parent.current.erase(source);
  Directory& to_parent = directories_.at(parent_of(to));
  const auto target = to_parent.current.find(name_of(to));
  if (target != to_parent.current.end() && target->second != moved) {
    CKPT_ASSERT(!target->second.is_directory, "a rename replaced a directory");
    detach(target->second.inode, std::move(saved));
  }
  to_parent.current[name_of(to)] = moved;
}

void UnsyncedDataTracker::commit_append(InodeId id, std::uint64_t bytes) {
  if (const auto it = inodes_.find(id); it != inodes_.end()) it->second.written_bytes += bytes;
}

void UnsyncedDataTracker::commit_sync(InodeId id) {
  if (const auto it = inodes_.find(id); it != inodes_.end()) it->second.synced_bytes = it->second.written_bytes;
}

std::uint64_t UnsyncedDataTracker::unsynced_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [id, inode] : inodes_) {
    if (inode.has_current_name) total += inode.written_bytes - inode.synced_bytes;
  }
  return total;
}

// --- power loss ---

std::map<std::string, bool> UnsyncedDataTracker::survivors() const {
  std::vector<std::string> paths;
  for (const auto& [path, directory] : directories_) paths.push_back(path);
  std::stable_sort(paths.begin(), paths.end(),
                   [](const std::string& a, const std::string& b) { return depth_of(a) < depth_of(b); });
  std::map<std::string, bool> survive;
  for (const std::string& path : paths) {
    const std::string parent = parent_of(path);
    const auto tracked_parent = directories_.find(parent);
    if (parent == path || tracked_parent == directories_.end()) {
      survive[path] = true;  // existed before tracking began
      continue;
    }
    const auto entry = tracked_parent->second.durable.find(name_of(path));
    survive[path] = survive.at(parent) && entry != tracked_parent->second.durable.end() && entry->second.is_directory;
  }
  return survive;
}

Status UnsyncedDataTracker::plan_restores(const std::map<std::string, bool>& survive, const TailPolicy& keep_tail,
                                          std::vector<Restore>& restores) {
  std::map<InodeId, std::string> current_path;
  for (const auto& [path, directory] : directories_) {
    for (const auto& [name, entry] : directory.current) {
      if (!entry.is_directory) current_path[entry.inode] = join_path(path, name);
    }
  }
  for (const auto& [path, directory] : directories_) {
    if (!survive.at(path)) continue;
    for (const auto& [name, entry] : directory.durable) {
      if (entry.is_directory) continue;
      const Inode& inode = inodes_.at(entry.inode);
      Restore restore{join_path(path, name), false, 0, {}};
      const auto current = directory.current.find(name);
      if (current != directory.current.end() && current->second == entry) {
        Result<std::uint64_t> size = base_.file_size(restore.path);
        if (!size.is_ok()) return size.status();
        const std::uint64_t unsynced = size.value() > inode.synced_bytes ? size.value() - inode.synced_bytes : 0;
        const std::uint64_t kept = keep_tail ? std::min(keep_tail(unsynced), unsynced) : 0;
        restore.in_place = true;
        restore.length = inode.synced_bytes + kept;
        if (restore.length < size.value()) restores.push_back(std::move(restore));
        continue;
      }
      if (const auto elsewhere = current_path.find(entry.inode); elsewhere != current_path.end()) {
        Result<Bytes> bytes = base_.read_file_range(elsewhere->second, 0, inode.synced_bytes);
        if (!bytes.is_ok()) return bytes.status();
        restore.content = std::move(bytes).value();
      } else {
        CKPT_ASSERT(inode.detached_copy.has_value(), "a durable file without a name kept its bytes");
        restore.content = *inode.detached_copy;
      }
      restores.push_back(std::move(restore));
    }
  }
  return Status::ok();
}

Status UnsyncedDataTracker::remove_non_durable(const std::map<std::string, bool>& survive) {
  for (const auto& [path, directory] : directories_) {
    if (!survive.at(path)) continue;  // an ancestor's removal takes it
    for (const auto& [name, entry] : directory.current) {
      const auto durable = directory.durable.find(name);
      if (durable != directory.durable.end() && durable->second == entry) continue;
      const std::string child = join_path(path, name);
      Status s = entry.is_directory ? remove_tree(base_, child, kMaxTreeDepth) : base_.remove_file(child);
      if (!s.is_ok() && s.code() != StatusCode::kNotFound) return s;
    }
  }
  return Status::ok();
}

Status UnsyncedDataTracker::apply_restores(const std::map<std::string, bool>& survive,
                                           const std::vector<Restore>& restores) {
  std::vector<std::string> paths;
  for (const auto& [path, alive] : survive) {
    if (alive) paths.push_back(path);
  }
  std::stable_sort(paths.begin(), paths.end(),
                   [](const std::string& a, const std::string& b) { return depth_of(a) < depth_of(b); });
  for (const std::string& path : paths) {
    if (Status s = base_.create_dir(path); !s.is_ok()) return s;
    for (const auto& [name, entry] : directories_.at(path).durable) {
      if (!entry.is_directory) continue;
      if (Status s = base_.create_dir(join_path(path, name)); !s.is_ok()) return s;
    }
  }
  for (const Restore& restore : restores) {
    Status s = Status::ok();
    if (restore.in_place) {
      Result<Bytes> kept = base_.read_file_range(restore.path, 0, restore.length);
      s = kept.is_ok() ? write_whole(base_, restore.path, kept.value()) : kept.status();
    } else {
      s = write_whole(base_, restore.path, restore.content);
    }
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

Status UnsyncedDataTracker::power_loss(const TailPolicy& keep_tail) {
  const std::map<std::string, bool> survive = survivors();
  std::vector<Restore> restores;
  // Every byte to restore is read before anything is removed or rewritten.
  if (Status s = plan_restores(survive, keep_tail, restores); !s.is_ok()) return s;
  if (Status s = remove_non_durable(survive); !s.is_ok()) return s;
  if (Status s = apply_restores(survive, restores); !s.is_ok()) return s;
  directories_.clear();
  inodes_.clear();
  return Status::ok();
}

}  // namespace ckptsim::sim
