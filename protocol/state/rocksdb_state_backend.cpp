#include "protocol/state/rocksdb_state_backend.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/state/keyed_snapshot_format.h"
#include "protocol/state/rocksdb_env_util.h"
#include "protocol/state/rocksdb_key_codec.h"

namespace ckptsim {
namespace {

rocksdb::Slice slice_of(const auto& array) { return rocksdb::Slice(array.data(), array.size()); }

rocksdb::WriteOptions write_options() {
  rocksdb::WriteOptions options;
  options.disableWAL = true;  // recovery is from checkpoints, never from local files
  return options;
}

bool is_sst_file(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0;
}

}  // namespace

RocksDbStateBackend::RocksDbStateBackend(std::uint32_t max_parallelism, KeyGroupRange range,
                                         RocksDbBackendOptions options)
    : max_parallelism_(max_parallelism),
      range_(range),
      options_(std::move(options)),
      env_(options_.env != nullptr ? options_.env : rocksdb::Env::Default()) {
  CKPT_ASSERT(max_parallelism_ >= 1, "max parallelism is at least 1");
  CKPT_ASSERT(max_parallelism_ <= kMaxParallelismUpperBound, "max parallelism within Flink's bound");
  CKPT_ASSERT(range_.start <= range_.end_inclusive, "a key group range is non-empty");
  CKPT_ASSERT(range_.end_inclusive < max_parallelism_, "the range lies inside [0, max parallelism)");
  CKPT_ASSERT(!options_.working_dir.empty(), "the backend needs a working directory");
}

Result<std::unique_ptr<RocksDbStateBackend>> RocksDbStateBackend::open(std::uint32_t max_parallelism,
                                                                        KeyGroupRange range,
                                                                        RocksDbBackendOptions options) {
  std::unique_ptr<RocksDbStateBackend> backend(new RocksDbStateBackend(max_parallelism, range, std::move(options)));
  if (backend->env_->FileExists(backend->options_.working_dir).ok()) {
    return Status::io_error("rocksdb working directory already exists: " + backend->options_.working_dir);
  }
  backend->owns_working_dir_ = true;
  if (Status s = backend->open_db(backend->options_.working_dir, true); !s.is_ok()) return s;
  return backend;
}

RocksDbStateBackend::~RocksDbStateBackend() {
  close_db();
  if (!owns_working_dir_) return;
  rocksdb::Options options;
  options.env = env_;
  (void)rocksdb::DestroyDB(options_.working_dir, options);
  (void)remove_dir_recursively(*env_, options_.working_dir);
}

Status RocksDbStateBackend::open_db(const std::string& directory, bool create) {
  CKPT_ASSERT(db_ == nullptr, "one database at a time");
  rocksdb::Options options;
  options.env = env_;
  options.create_if_missing = create;
  options.error_if_exists = create;
  options.write_buffer_size = options_.write_buffer_bytes;
  options.disable_auto_compactions = options_.disable_auto_compactions;
  if (options_.target_file_bytes != 0) {
    options.target_file_size_base = options_.target_file_bytes;
    options.max_compaction_bytes = options_.target_file_bytes;
  }
  options.keep_log_file_num = 1;
  options.info_log_level = rocksdb::InfoLogLevel::ERROR_LEVEL;
  options.compression = rocksdb::kNoCompression;
  // No automatic resume after a background error: RocksDB would retry the failed flush
  // every second on its own thread (and Close() would wait for it), while the backend
  // already treats the first error as final (sticky) and its task is replaced.
  options.max_bgerror_resume_count = 0;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, directory, &db);
  if (!s.ok()) return from_rocksdb(s, "open " + directory);
  db_.reset(db);
  ++generation_;
  return Status::ok();
}

void RocksDbStateBackend::close_db() {
  if (db_ == nullptr) return;
  (void)db_->Close();
  db_.reset();
}

Status RocksDbStateBackend::reset_empty() {
  close_db();
  entry_count_ = 0;
  changed_entries_.clear();
  rocksdb::Options options;
  options.env = env_;
  (void)rocksdb::DestroyDB(options_.working_dir, options);
  if (Status s = remove_dir_recursively(*env_, options_.working_dir); !s.is_ok()) return s;
  return open_db(options_.working_dir, true);
}

std::uint32_t RocksDbStateBackend::checked_key_group(std::uint64_t key) const {
  const std::uint32_t key_group = key_group_for_key(key, max_parallelism_);
  CKPT_ASSERT(range_.contains(key_group), "key routed to the subtask owning its key group");
  return key_group;
}

void RocksDbStateBackend::note_error(const Status& status) {
  if (!status.is_ok() && sticky_error_.is_ok()) sticky_error_ = status;
}

std::optional<StateValue> RocksDbStateBackend::get(std::uint64_t key, std::uint32_t name_space) {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  const auto encoded = encode_rocksdb_key(checked_key_group(key), key, name_space);
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice_of(encoded), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) {
    note_error(from_rocksdb(s, "get"));
    return std::nullopt;
  }
  const std::optional<StateValue> decoded = decode_rocksdb_value(value);
  if (!decoded) note_error(Status::corruption("rocksdb value of unexpected length " + std::to_string(value.size())));
  return decoded;
}

void RocksDbStateBackend::put(std::uint64_t key, std::uint32_t name_space, StateValue value) {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  const auto encoded = encode_rocksdb_key(checked_key_group(key), key, name_space);
  // The entry count needs to know whether the key is new; a point lookup mostly hits
  // the memtable or the block cache.
  std::string existing;
  const rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), slice_of(encoded), &existing);
  if (!found.ok() && !found.IsNotFound()) {
    note_error(from_rocksdb(found, "get before put"));
    return;
  }
  const rocksdb::Status s = db_->Put(write_options(), slice_of(encoded), slice_of(encode_rocksdb_value(value)));
  if (!s.ok()) {
    note_error(from_rocksdb(s, "put"));
    return;
  }
  if (found.IsNotFound()) ++entry_count_;
  if (options_.track_changed_entries) changed_entries_.emplace(key, name_space);
}

void RocksDbStateBackend::remove(std::uint64_t key, std::uint32_t name_space) {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  const auto encoded = encode_rocksdb_key(checked_key_group(key), key, name_space);
  std::string existing;
  const rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), slice_of(encoded), &existing);
  if (found.IsNotFound()) return;
  if (!found.ok()) {
    note_error(from_rocksdb(found, "get before remove"));
    return;
  }
  const rocksdb::Status s = db_->Delete(write_options(), slice_of(encoded));
  if (!s.ok()) {
    note_error(from_rocksdb(s, "delete"));
    return;
  }
  if (options_.track_changed_entries) changed_entries_.emplace(key, name_space);
  CKPT_ASSERT(entry_count_ > 0, "removing a present entry");
  --entry_count_;
}

void RocksDbStateBackend::for_each(const EntryVisitor& visit) const {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::optional<DecodedRocksDbKey> key = decode_rocksdb_key(it->key().ToStringView());
    const std::optional<StateValue> value = decode_rocksdb_value(it->value().ToStringView());
    CKPT_ASSERT(key.has_value(), "only this backend writes keys");
    CKPT_ASSERT(value.has_value(), "only this backend writes values");
    visit(key->key, key->name_space, *value);
  }
}

Result<std::size_t> RocksDbStateBackend::count_entries() const {
  // A full scan that also verifies every block's checksum on the way (a restored file
  // damaged at rest fails here, not later in the middle of processing).
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  std::size_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!decode_rocksdb_key(it->key().ToStringView()) || !decode_rocksdb_value(it->value().ToStringView())) {
      return Status::corruption("rocksdb holds an entry of unexpected length");
    }
    ++count;
  }
  if (const rocksdb::Status s = it->status(); !s.ok()) return from_rocksdb(s, "scan");
  return count;
}

Result<Bytes> RocksDbStateBackend::snapshot() {
  const StateBackendHooks* hooks = options_.hooks;
  if (hooks != nullptr && hooks->before_snapshot) {
    if (Status status = hooks->before_snapshot(); !status.is_ok()) return status;
  }
  if (!sticky_error_.is_ok()) return sticky_error_;
  // One implicit snapshot for both passes: the counts must match the entries written.
  const rocksdb::Snapshot* db_snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions read;
  read.snapshot = db_snapshot;
  std::vector<std::pair<std::uint32_t, std::vector<StateEntry>>> sections;
  std::uint64_t entries = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::optional<DecodedRocksDbKey> key = decode_rocksdb_key(it->key().ToStringView());
      const std::optional<StateValue> value = decode_rocksdb_value(it->value().ToStringView());
      if (!key || !value) {
        db_->ReleaseSnapshot(db_snapshot);
        return Status::corruption("rocksdb holds an entry of unexpected length");
      }
      if (sections.empty() || sections.back().first != key->key_group) sections.emplace_back(key->key_group, 0);
      sections.back().second.push_back(StateEntry{key->key, key->name_space, *value});
      ++entries;
    }
    const rocksdb::Status s = it->status();
    if (!s.ok()) {
      db_->ReleaseSnapshot(db_snapshot);
      return from_rocksdb(s, "snapshot scan");
    }
  }
  db_->ReleaseSnapshot(db_snapshot);
  CKPT_ASSERT(entries == entry_count_, "the entry count matches the database");
  KeyedSnapshotWriter writer(max_parallelism_, range_, static_cast<std::uint32_t>(sections.size()), entries);
  for (const auto& [key_group, section_entries] : sections) writer.add_section(key_group, section_entries);
  Bytes bytes = std::move(writer).finish();
  if (hooks != nullptr && hooks->after_snapshot_bytes) hooks->after_snapshot_bytes(bytes);
  return bytes;
}

Status RocksDbStateBackend::restore(const std::vector<Bytes>& snapshots) {
  if (Status s = reset_empty(); !s.is_ok()) return s;
  sticky_error_ = Status::ok();
  const StateBackendHooks* hooks = options_.hooks;
  if (hooks != nullptr && hooks->before_restore) {
    if (Status status = hooks->before_restore(); !status.is_ok()) return status;
  }
  Result<std::vector<KeyedSnapshotView>> parsed = parse_snapshots_for_restore(snapshots, max_parallelism_);
  if (!parsed.is_ok()) return parsed.status();
  const std::vector<KeyedSnapshotView>& views = parsed.value();
  std::vector<std::uint8_t> claimed(range_.size(), 0);
  rocksdb::WriteBatch batch;
  std::size_t count = 0;
  for (std::size_t i = 0; i < views.size(); ++i) {
    for (const KeyedSnapshotSection& section : views[i].sections()) {
      if (!range_.contains(section.key_group)) continue;
      std::uint8_t& seen = claimed[section.key_group - range_.start];
      if (seen != 0) {
        (void)reset_empty();
        return Status::invalid_argument("key group " + std::to_string(section.key_group) +
                                        " appears in more than one snapshot (snapshot " + std::to_string(i + 1) + ")");
      }
      seen = 1;
      for (std::uint32_t j = 0; j < section.entry_count; ++j) {
        const StateEntry entry = views[i].entry(section, j);
        const auto key = encode_rocksdb_key(section.key_group, entry.key, entry.name_space);
        batch.Put(slice_of(key), slice_of(encode_rocksdb_value(entry.value)));
        ++count;
      }
    }
  }
  if (const rocksdb::Status s = db_->Write(write_options(), &batch); !s.ok()) {
    (void)reset_empty();
    return from_rocksdb(s, "restore write");
  }
  entry_count_ = count;
  return Status::ok();
}

Result<LocalCheckpoint> RocksDbStateBackend::create_local_checkpoint_for(std::int64_t checkpoint_id) {
  const std::string directory = options_.working_dir + ".chk-" + std::to_string(checkpoint_id);
  if (Status s = remove_dir_recursively(*env_, directory); !s.is_ok()) return s;
  Result<LocalCheckpoint> local = create_local_checkpoint(directory);
  if (!local.is_ok()) (void)remove_dir_recursively(*env_, directory);
  return local;
}

Result<LocalCheckpoint> RocksDbStateBackend::create_local_checkpoint(const std::string& directory) {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  if (!sticky_error_.is_ok()) return sticky_error_;
  rocksdb::Checkpoint* raw = nullptr;
  if (const rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw); !s.ok()) {
    return from_rocksdb(s, "checkpoint create");
  }
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush the memtable, so every entry is in an SST file
  // (the WAL is off and would be empty anyway).
  if (const rocksdb::Status s = checkpoint->CreateCheckpoint(directory, 0); !s.ok()) {
    return from_rocksdb(s, "checkpoint to " + directory);
  }
  std::vector<std::string> names;
  if (const rocksdb::Status s = env_->GetChildren(directory, &names); !s.ok()) {
    return from_rocksdb(s, "list " + directory);
  }
  std::sort(names.begin(), names.end());
  changed_entries_.clear();
  LocalCheckpoint local;
  local.directory = directory;
  for (const std::string& name : names) {
    if (name == "." || name == "..") continue;
    std::uint64_t size = 0;
    if (const rocksdb::Status s = env_->GetFileSize(directory + "/" + name, &size); !s.ok()) {
      return from_rocksdb(s, "size of " + name);
    }
    local.files.push_back(LocalCheckpointFile{name, size, is_sst_file(name)});
  }
  return local;
}

Status RocksDbStateBackend::compact_all() {
  CKPT_ASSERT(db_ != nullptr, "the database is open");
  if (const rocksdb::Status s = db_->Flush(rocksdb::FlushOptions()); !s.ok()) return from_rocksdb(s, "flush");
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return from_rocksdb(db_->CompactRange(options, nullptr, nullptr), "compact");
}

Status RocksDbStateBackend::restore_from_local_checkpoints(const std::vector<LocalRestoreSource>& sources) {
  if (Status s = reset_empty(); !s.is_ok()) return s;
  sticky_error_ = Status::ok();
  for (const LocalRestoreSource& source : sources) {
    if (source.max_parallelism != max_parallelism_) {
      return Status::invalid_argument("checkpoint taken with max parallelism " +
                                      std::to_string(source.max_parallelism) + ", this backend has " +
                                      std::to_string(max_parallelism_));
    }
  }
  // Two sources must not both hold a key group of this range.
  for (std::size_t i = 0; i < sources.size(); ++i) {
    for (std::size_t j = i + 1; j < sources.size(); ++j) {
      const KeyGroupRange a = sources[i].key_group_range;
      const KeyGroupRange b = sources[j].key_group_range;
      const std::uint32_t low = std::max({a.start, b.start, range_.start});
      const std::uint32_t high = std::min({a.end_inclusive, b.end_inclusive, range_.end_inclusive});
      if (low <= high) {
        return Status::invalid_argument("key group " + std::to_string(low) + " appears in two checkpoints");
      }
    }
  }
  if (sources.size() == 1 && sources[0].key_group_range == range_) {
    // Same range: the checkpoint's files become the database, SST names preserved.
    close_db();
    if (Status s = remove_dir_recursively(*env_, options_.working_dir); !s.is_ok()) return s;
    if (Status s = copy_directory(*env_, sources[0].directory, options_.working_dir); !s.is_ok()) {
      (void)reset_empty();
      return s;
    }
    if (Status s = open_db(options_.working_dir, false); !s.is_ok()) {
      (void)reset_empty();
      return s;
    }
    Result<std::size_t> count = count_entries();
    if (!count.is_ok()) {
      (void)reset_empty();
      return count.status();
    }
    entry_count_ = count.value();
    return Status::ok();
  }
  for (const LocalRestoreSource& source : sources) {
    if (Status s = copy_range_from(source); !s.is_ok()) {
      (void)reset_empty();
      return s;
    }
  }
  Result<std::size_t> count = count_entries();
  if (!count.is_ok()) {
    (void)reset_empty();
    return count.status();
  }
  entry_count_ = count.value();
  return Status::ok();
}

Status RocksDbStateBackend::copy_range_from(const LocalRestoreSource& source) {
  const std::uint32_t low = std::max(source.key_group_range.start, range_.start);
  const std::uint32_t high = std::min(source.key_group_range.end_inclusive, range_.end_inclusive);
  if (low > high) return Status::ok();
  rocksdb::Options options;
  options.env = env_;
  rocksdb::DB* raw = nullptr;
  if (const rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, source.directory, &raw); !s.ok()) {
    return from_rocksdb(s, "open for rescaling " + source.directory);
  }
  const std::unique_ptr<rocksdb::DB> temp(raw);
  const std::string lower = rocksdb_key_group_prefix(low);
  const std::string upper = rocksdb_key_group_prefix(high + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(temp->NewIterator(read));
  rocksdb::WriteBatch batch;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (!decode_rocksdb_key(it->key().ToStringView()) || !decode_rocksdb_value(it->value().ToStringView())) {
      return Status::corruption("checkpoint " + source.directory + " holds an entry of unexpected length");
    }
    batch.Put(it->key(), it->value());
  }
  if (const rocksdb::Status s = it->status(); !s.ok()) return from_rocksdb(s, "scan " + source.directory);
  it.reset();
  if (const rocksdb::Status s = db_->Write(write_options(), &batch); !s.ok()) return from_rocksdb(s, "rescale write");
  (void)temp->Close();
  return Status::ok();
}

std::unique_ptr<KeyedStateBackend> make_rocksdb_state_backend(std::uint32_t max_parallelism, KeyGroupRange range,
                                                              RocksDbBackendOptions options) {
  Result<std::unique_ptr<RocksDbStateBackend>> backend =
      RocksDbStateBackend::open(max_parallelism, range, std::move(options));
  CKPT_ASSERT(backend.is_ok(), "the rocksdb state backend opens in a fresh working directory");
  return std::move(backend).value();
}

}  // namespace ckptsim
