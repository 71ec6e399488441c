#include "protocol/state/rocksdb_task_snapshots.h"

#include <rocksdb/env.h>

#include <algorithm>
#include <set>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"
#include "protocol/state/rocksdb_env_util.h"

namespace ckptsim {
namespace {

constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 30;
constexpr std::uint32_t kMaxFiles = 1u << 16;

bool is_sst(const std::string& name) { return name.size() > 4 && name.ends_with(".sst"); }

Status corrupt(const std::string& what) { return Status::corruption("incremental task snapshot: " + what); }

}  // namespace

void RocksDbTaskSnapshots::required_backend_options(RocksDbBackendOptions& options) {
  options.disable_auto_compactions = true;
  // Far above any state change between two checkpoints of a simulated job, so only a
  // checkpoint (or compact_all) flushes the memtable; memtables allocate lazily.
  options.write_buffer_bytes = std::uint64_t{256} << 20;
  options.target_file_bytes = std::uint64_t{1} << 40;  // a compaction writes one file
  options.track_changed_entries = true;
}

RocksDbTaskSnapshots::RocksDbTaskSnapshots(RocksDbStateBackend& backend, std::string shared_prefix)
    : backend_(backend), shared_prefix_(std::move(shared_prefix)) {
  CKPT_ASSERT(!shared_prefix_.empty(), "shared blobs need a prefix");
}

Result<PreparedTaskSnapshot> RocksDbTaskSnapshots::prepare(CheckpointId id, const std::string& private_blob_name) {
  CKPT_ASSERT(id > kNoCheckpointId, "a checkpoint id is positive");
  CKPT_ASSERT(!private_blob_name.empty(), "the private blob needs a name");
  PreparedTaskSnapshot out;
  // Read before compaction or the local checkpoint resets it.
  const std::size_t changed_entries = backend_.changed_entries_since_local_checkpoint();
  if (live_sst_files_ >= kCompactAfterSstFiles) {
    if (Status s = backend_.compact_all(); !s.is_ok()) return s;
    out.compacted = true;
  }
  Result<LocalCheckpoint> local = backend_.create_local_checkpoint_for(id);
  if (!local.is_ok()) return local.status();
  const std::string& local_dir = local.value().directory;
  TaskSnapshotContents contents;
  contents.handle.backend_uid = 0;
  contents.handle.max_parallelism = backend_.max_parallelism();
  contents.handle.key_group_range = backend_.key_group_range();
  Status added = add_files(id, local.value(), out.compacted, changed_entries, out, contents);
  (void)remove_dir_recursively(backend_.env(), local_dir);
  if (!added.is_ok()) return added;

  SnapshotUpload private_blob;
  private_blob.name = private_blob_name;
  private_blob.bytes = encode_task_snapshot(contents);
  private_blob.modelled_size_bytes = kModelledPrivateBytes + kModelledReferenceBytes * contents.handle.shared_files.size();
  out.handle.blob_names = {private_blob_name};
  std::set<std::string> shared;
  for (const CheckpointFileRef& f : contents.handle.shared_files) shared.insert(f.storage_name);
  out.handle.shared_blob_names.assign(shared.begin(), shared.end());
  out.full_modelled_bytes += private_blob.modelled_size_bytes;
  out.uploaded_modelled_bytes += private_blob.modelled_size_bytes;
  out.handle.state_size_bytes = out.full_modelled_bytes;
  // A deterministic checksum: of the names this snapshot consists of.
  std::uint32_t checksum = crc32c(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(private_blob_name.data()), private_blob_name.size()));
  for (const std::string& name : out.handle.shared_blob_names) {
    checksum = crc32c_extend(checksum, std::span<const std::uint8_t>(
                                           reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
  }
  out.handle.checksum = checksum;
  out.uploads.push_back(std::move(private_blob));
  return out;
}

Status RocksDbTaskSnapshots::add_files(CheckpointId id, const LocalCheckpoint& local, bool compacted,
                                       std::size_t changed_entries, PreparedTaskSnapshot& out,
                                       TaskSnapshotContents& contents) {
  // Files that appeared since the previous local checkpoint share its logical measure.
  std::vector<std::string> appeared;
  std::size_t sst_count = 0;
  for (const LocalCheckpointFile& file : local.files) {
    if (!file.shared) continue;
    ++sst_count;
    if (!known_modelled_.contains(file.name)) appeared.push_back(file.name);
  }
  const bool every_entry = compacted || measure_all_entries_next_;  // all live entries are in new files
  const std::uint64_t measure_entries = every_entry ? backend_.entry_count() : changed_entries;
  measure_all_entries_next_ = false;
  const std::uint64_t appeared_bytes = kModelledEntryBytes * measure_entries;
  std::map<std::string, std::uint64_t> live_modelled;
  for (std::size_t i = 0; i < appeared.size(); ++i) {
    // An even split (the remainder to the first); normally exactly one file appears.
    std::uint64_t share = appeared_bytes / appeared.size();
    if (i == 0) share += appeared_bytes % appeared.size();
    live_modelled[appeared[i]] = share;
  }
  for (const LocalCheckpointFile& file : local.files) {
    if (file.shared && !live_modelled.contains(file.name)) live_modelled[file.name] = known_modelled_.at(file.name);
  }
  known_modelled_ = std::move(live_modelled);
  live_sst_files_ = sst_count;

  FileMap& pending = pending_[id];
  for (const LocalCheckpointFile& file : local.files) {
    const std::uint64_t modelled = file.shared ? known_modelled_.at(file.name) : 0;
    if (file.shared) {
      auto reused = confirmed_.find(file.name);
      if (reused != confirmed_.end() && reused->second.ref.size_bytes == file.size_bytes) {
        contents.handle.shared_files.push_back(reused->second.ref);
        contents.shared_modelled_bytes.push_back(reused->second.modelled_bytes);
        pending.emplace(file.name, reused->second);
        out.full_modelled_bytes += reused->second.modelled_bytes;
        continue;
      }
    }
    Result<Bytes> bytes = read_whole_file(backend_.env(), local.directory + "/" + file.name);
    if (!bytes.is_ok()) return bytes.status();
    if (bytes.value().size() > kMaxFileBytes) return Status::resource_exhausted("local checkpoint file too large");
    CheckpointFileRef ref;
    ref.local_name = file.name;
    ref.size_bytes = bytes.value().size();
    ref.crc = crc32c(bytes.value());
    if (file.shared) {
      ref.storage_name = shared_prefix_ + "c" + std::to_string(id) + "-" + file.name;
      contents.handle.shared_files.push_back(ref);
      contents.shared_modelled_bytes.push_back(modelled);
      pending.emplace(file.name, SharedFile{ref, modelled});
      out.full_modelled_bytes += modelled;
      out.uploaded_modelled_bytes += modelled;
      out.uploads.push_back(SnapshotUpload{ref.storage_name, std::move(bytes).value(), modelled});
    } else {
      ref.storage_name = file.name;
      contents.handle.private_files.push_back(ref);
      contents.private_files.emplace(file.name, std::move(bytes).value());
    }
  }
  return Status::ok();
}

void RocksDbTaskSnapshots::confirm(CheckpointId id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  confirmed_ = std::move(it->second);
  pending_.erase(pending_.begin(), std::next(it));
}

Bytes encode_task_snapshot(const TaskSnapshotContents& contents) {
  CKPT_ASSERT(contents.shared_modelled_bytes.size() == contents.handle.shared_files.size(),
              "a modelled size per shared file");
  ByteWriter w;
  w.put_u32(kTaskSnapshotMagic);
  w.put_u32(kTaskSnapshotVersion);
  w.put_bytes(encode_incremental_handle(contents.handle));
  w.put_u32(static_cast<std::uint32_t>(contents.shared_modelled_bytes.size()));
  for (std::uint64_t modelled : contents.shared_modelled_bytes) w.put_u64(modelled);
  w.put_u32(static_cast<std::uint32_t>(contents.private_files.size()));
  for (const auto& [name, bytes] : contents.private_files) {
    w.put_string(name);
    w.put_bytes(bytes);
  }
  const std::uint32_t crc = crc32c(w.bytes());
  w.put_u32(crc);
  return std::move(w).take();
}

Result<TaskSnapshotContents> RocksDbTaskSnapshots::decode_private_blob(const Bytes& bytes) {
  if (bytes.size() < 12) return corrupt("too short");
  const std::size_t body = bytes.size() - 4;
  if (crc32c(std::span<const std::uint8_t>(bytes.data(), body)) != load_le32(bytes.data() + body)) {
    return corrupt("checksum mismatch");
  }
  ByteReader r(std::span<const std::uint8_t>(bytes.data(), body));
  std::uint32_t magic = 0;
  std::uint32_t version = 0;
  Status s = r.read_u32(magic, "magic");
  if (s.is_ok()) s = r.read_u32(version, "version");
  if (!s.is_ok()) return corrupt(s.message());
  if (magic != kTaskSnapshotMagic) return corrupt("bad magic");
  if (version != kTaskSnapshotVersion) return corrupt("unsupported version " + std::to_string(version));
  Bytes handle_bytes;
  if (Status h = r.read_bytes(handle_bytes); !h.is_ok()) return corrupt(h.message());
  Result<IncrementalSnapshotHandle> handle = decode_incremental_handle(handle_bytes);
  if (!handle.is_ok()) return handle.status();
  TaskSnapshotContents contents;
  contents.handle = std::move(handle).value();
  std::uint32_t count = 0;
  if (Status c = r.read_u32(count, "shared count"); !c.is_ok()) return corrupt(c.message());
  if (count != contents.handle.shared_files.size()) return corrupt("modelled sizes do not match the shared files");
  contents.shared_modelled_bytes.resize(count);
  for (std::uint64_t& modelled : contents.shared_modelled_bytes) {
    if (Status m = r.read_u64(modelled, "modelled size"); !m.is_ok()) return corrupt(m.message());
  }
  if (Status c = r.read_u32(count, "private count"); !c.is_ok()) return corrupt(c.message());
  if (count > kMaxFiles) return corrupt("too many private files");
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string name;
    Bytes content;
    Status f = r.read_string(name);
    if (f.is_ok()) f = r.read_bytes(content);
    if (!f.is_ok()) return corrupt(f.message());
    if (!contents.private_files.emplace(std::move(name), std::move(content)).second) {
      return corrupt("duplicate private file");
    }
  }
  if (Status e = r.expect_end("task snapshot"); !e.is_ok()) return corrupt(e.message());
  return contents;
}

Status RocksDbTaskSnapshots::restore(const TaskSnapshotContents& contents,
                                     const std::map<std::string, Bytes>& shared_blobs) {
  return restore(std::span<const TaskSnapshotContents>(&contents, 1), shared_blobs);
}

Status RocksDbTaskSnapshots::restore(std::span<const TaskSnapshotContents> snapshots,
                                     const std::map<std::string, Bytes>& shared_blobs) {
  CKPT_ASSERT(!snapshots.empty(), "a restore has at least one snapshot");
  rocksdb::Env& env = backend_.env();
  const std::string dir = backend_.working_dir() + ".restore";
  if (Status s = remove_dir_recursively(env, dir); !s.is_ok()) return s;
  if (const rocksdb::Status s = env.CreateDir(dir); !s.ok()) return from_rocksdb(s, "create directory " + dir);
  auto place = [&](const std::string& into, const CheckpointFileRef& f, const Bytes* bytes) -> Status {
    if (bytes == nullptr) return Status::not_found("checkpoint file " + f.storage_name + " is missing");
    if (bytes->size() != f.size_bytes || crc32c(*bytes) != f.crc) {
      return Status::corruption("checkpoint file " + f.storage_name + " differs from its handle");
    }
    if (f.local_name.empty() || f.local_name.find('/') != std::string::npos) {
      return Status::corruption("invalid local file name '" + f.local_name + "'");
    }
    return write_whole_file(env, into + "/" + f.local_name, *bytes);
  };
  // One subdirectory per snapshot (a rescaling restore reads several).
  Status status = Status::ok();
  std::vector<LocalRestoreSource> sources;
  for (std::size_t n = 0; status.is_ok() && n < snapshots.size(); ++n) {
    const TaskSnapshotContents& contents = snapshots[n];
    const std::string into = dir + "/" + std::to_string(n);
    if (const rocksdb::Status s = env.CreateDir(into); !s.ok()) {
      status = from_rocksdb(s, "create directory " + into);
      break;
    }
    for (const CheckpointFileRef& f : contents.handle.shared_files) {
      if (!is_sst(f.local_name)) status = Status::corruption("shared file " + f.local_name + " is not an SST file");
      auto it = shared_blobs.find(f.storage_name);
      if (status.is_ok()) status = place(into, f, it == shared_blobs.end() ? nullptr : &it->second);
      if (!status.is_ok()) break;
    }
    for (std::size_t i = 0; status.is_ok() && i < contents.handle.private_files.size(); ++i) {
      const CheckpointFileRef& f = contents.handle.private_files[i];
      auto it = contents.private_files.find(f.local_name);
      status = place(into, f, it == contents.private_files.end() ? nullptr : &it->second);
    }
    sources.push_back(LocalRestoreSource{into, contents.handle.max_parallelism, contents.handle.key_group_range});
  }
  if (status.is_ok()) status = backend_.restore_from_local_checkpoints(sources);
  (void)remove_dir_recursively(env, dir);
  confirmed_.clear();
  pending_.clear();
  known_modelled_.clear();
  live_sst_files_ = 0;
  measure_all_entries_next_ = false;
  if (!status.is_ok()) return status;
  if (snapshots.size() == 1 && snapshots[0].handle.key_group_range == backend_.key_group_range()) {
    // Opened in place: the restored SST files keep their names and count as uploaded.
    const TaskSnapshotContents& contents = snapshots[0];
    for (std::size_t i = 0; i < contents.handle.shared_files.size(); ++i) {
      const CheckpointFileRef& f = contents.handle.shared_files[i];
      confirmed_.emplace(f.local_name, SharedFile{f, contents.shared_modelled_bytes[i]});
      known_modelled_[f.local_name] = contents.shared_modelled_bytes[i];
    }
    live_sst_files_ = contents.handle.shared_files.size();
  } else {
    // Copied key by key into a fresh database (rescaling): none of its files was ever
    // uploaded, and the changes since the restore do not measure them; the next
    // snapshot's new files stand for every live entry, as after a compaction.
    measure_all_entries_next_ = true;
  }
  return Status::ok();
}

}  // namespace ckptsim
