// UnsyncedDataTracker: what a power loss would keep of a file tree, tracked operation by
// operation (the model inside FaultInjectingFileSystem, in the spirit of LevelDB's
// FaultInjectionTestEnv, but also restoring names whose removal or replacement was never
// made durable).
//
// Model (the POSIX durability rules of protocol/env/file_system.h, taken strictly):
//  * A file is an inode with written_bytes and synced_bytes (files are only appended to,
//    so the durable content is the first synced_bytes bytes).
//  * Each directory has its current entries and its durable entries: the entries as of
//    the last sync_dir of that directory. Creating, renaming or removing a name changes
//    only the current entries.
//  * power_loss() makes the tree equal to the durable state: every directory's entries
//    revert to its durable entries (new names vanish, removed or replaced names come
//    back with their durable content), a directory not durably named in its parent
//    vanishes with everything below it, and every file is cut to its synced length
//    (optionally keeping a prefix of its unsynced tail: a torn last write).
//  * Directories and files first seen by the tracker are taken as durable (a tree that
//    existed before tracking began survived an earlier power loss).
//
// Usage protocol (FaultInjectingFileSystem follows it): for each mutating operation call
// prepare_* BEFORE the base operation (it loads directory listings and saves durable
// bytes the operation is about to destroy), run the base operation, and call commit_*
// only if it succeeded.
//
// Limits: directory renames are not modelled (asserted); a re-created directory whose
// removal was never made durable is treated as the same directory; bytes synced to a
// file after its last name went away are not kept. Bounded by max_tracked_files.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "protocol/env/file_system.h"

namespace ckptsim::sim {

class UnsyncedDataTracker {
 public:
  using InodeId = std::uint64_t;
  // How many bytes of a file's unsynced tail of the given length survive a power loss.
  using TailPolicy = std::function<std::uint64_t(std::uint64_t unsynced_bytes)>;

  explicit UnsyncedDataTracker(FileSystem& base, std::size_t max_tracked_files = 1 << 20);

  // Durable bytes of the file at `path` that the next operation may destroy (remove,
  // replace, truncate), if the durable namespace still needs them; nullopt otherwise.
  using SavedCopy = std::optional<Bytes>;

  Status prepare_directory_change(const std::string& path);  // create_dir, remove_dir
  void commit_create_dir(const std::string& path);
  void commit_remove_dir(const std::string& path);
  Status prepare_sync_dir(const std::string& path);
  void commit_sync_dir(const std::string& path);
  Result<SavedCopy> prepare_replace(const std::string& path);  // new_writable_file, remove_file
  InodeId commit_new_file(const std::string& path, SavedCopy saved);
  void commit_remove_file(const std::string& path, SavedCopy saved);
  Result<SavedCopy> prepare_rename(const std::string& from, const std::string& to);
  void commit_rename(const std::string& from, const std::string& to, SavedCopy saved);
  void commit_append(InodeId inode, std::uint64_t bytes);
  void commit_sync(InodeId inode);

  // Reverts the base tree to its durable state (see the model), then forgets all
  // tracking: afterwards everything on disk counts as durable.
  Status power_loss(const TailPolicy& keep_tail);

  // Inspection (tests): bytes appended but not synced, summed over tracked files.
  std::uint64_t unsynced_bytes() const;
  std::size_t tracked_directories() const { return directories_.size(); }

 private:
  struct Inode {
    std::uint64_t written_bytes = 0;
    std::uint64_t synced_bytes = 0;
    std::uint32_t durable_names = 0;  // durable entries naming it
    bool has_current_name = false;
    SavedCopy detached_copy;          // its durable bytes, once it has no current name
  };
  struct Entry {
    bool is_directory = false;
    InodeId inode = 0;  // 0 for directories
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  struct Directory {
    std::map<std::string, Entry> current;
    std::map<std::string, Entry> durable;
  };
  struct Restore;

  Result<Directory*> track(const std::string& path);
  InodeId new_inode(std::uint64_t size, bool durable);
  Result<SavedCopy> save_if_needed(const Directory& directory, const std::string& name, const std::string& path);
  void detach(InodeId inode, SavedCopy saved);
  void forget_if_unreferenced(InodeId inode);
  std::map<std::string, bool> survivors() const;
  Status plan_restores(const std::map<std::string, bool>& survive, const TailPolicy& keep_tail,
                       std::vector<Restore>& restores);
  Status remove_non_durable(const std::map<std::string, bool>& survive);
  Status apply_restores(const std::map<std::string, bool>& survive, const std::vector<Restore>& restores);

  FileSystem& base_;
  std::size_t max_tracked_files_;
  std::map<std::string, Directory> directories_;  // by path; ordered, so replay is deterministic
  std::map<InodeId, Inode> inodes_;
  InodeId next_inode_ = 1;
};

}  // namespace ckptsim::sim
