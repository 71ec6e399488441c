#include "protocol/state/file_checkpoint_storage.h"

#include <algorithm>
#include <utility>

namespace ckptsim {
namespace {

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::vector<std::string> split_components(const std::string& name) {
  std::vector<std::string> components;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    components.push_back(name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return components;
}

// "chk-<id>" -> id, for ids parse_checkpoint_id accepts.
std::optional<CheckpointId> checkpoint_dir_id(std::string_view directory_name) {
  if (!directory_name.starts_with(FileCheckpointStorage::kCheckpointDirPrefix)) return std::nullopt;
  return parse_checkpoint_id(directory_name.substr(FileCheckpointStorage::kCheckpointDirPrefix.size()));
}

// kNotFound and kCorruption mean "this checkpoint is not usable"; anything else (an I/O
// error, storage unavailable) must stop the caller: skipping to an older checkpoint
// because storage hiccupped could restore stale state.
bool marks_unusable_checkpoint(const Status& status) {
  return status.code() == StatusCode::kNotFound || status.code() == StatusCode::kCorruption;
}

}  // namespace

struct FileCheckpointStorage::ParsedName {
  std::vector<std::string> components;
  std::string directory;  // root_dir/c[0]/.../c[n-2]
  std::string path;       // directory/c[n-1]
  bool in_checkpoint_dir = false;  // <job>/chk-<id>/<file>
  bool is_metadata = false;        // <job>/chk-<id>/_metadata
  CheckpointId checkpoint_id = kNoCheckpointId;
};

FileCheckpointStorage::FileCheckpointStorage(FileSystem& fs, std::string root_dir, FileCheckpointStorageOptions options)
    : fs_(fs), root_dir_(std::move(root_dir)), options_(options) {
  while (root_dir_.size() > 1 && root_dir_.back() == '/') root_dir_.pop_back();
  CKPT_ASSERT(!root_dir_.empty(), "checkpoint storage needs a root directory");
  CKPT_ASSERT(options_.max_name_depth >= 3, "names <job>/chk-<id>/<file> need three components");
  CKPT_ASSERT(options_.max_component_bytes + 32 <= 255, "temporary names must fit NAME_MAX");
  CKPT_ASSERT(options_.max_files_per_checkpoint > 0 && options_.max_dir_entries > 0, "bounds are positive");
}

std::string FileCheckpointStorage::checkpoint_dir_name(const std::string& job, CheckpointId id) {
  CKPT_ASSERT(id > kNoCheckpointId, "checkpoint ids are positive");
  return job + "/" + std::string(kCheckpointDirPrefix) + std::to_string(id);
}

std::string FileCheckpointStorage::metadata_name(const std::string& job, CheckpointId id) {
  return checkpoint_dir_name(job, id) + "/" + std::string(kMetadataFileName);
}

std::string FileCheckpointStorage::state_file_name(const std::string& job, CheckpointId id, const std::string& file) {
  return checkpoint_dir_name(job, id) + "/" + file;
}

bool FileCheckpointStorage::is_temp_file_name(std::string_view file_name) { return file_name.ends_with(kTempSuffix); }

Result<FileCheckpointStorage::ParsedName> FileCheckpointStorage::parse_name(const std::string& name) const {
  ParsedName parsed;
  parsed.components = split_components(name);
  if (parsed.components.size() > options_.max_name_depth) {
    return Status::invalid_argument("blob name '" + name + "' has more than " +
                                    std::to_string(options_.max_name_depth) + " components");
  }
  for (const std::string& component : parsed.components) {
    const bool bad = component.empty() || component == "." || component == ".." ||
                     component.size() > options_.max_component_bytes || component.find('\0') != std::string::npos ||
                     is_temp_file_name(component);
    if (bad) return Status::invalid_argument("invalid blob name '" + name + "': bad component '" + component + "'");
  }
  parsed.directory = root_dir_;
  for (std::size_t i = 0; i + 1 < parsed.components.size(); ++i) {
    parsed.directory = join_path(parsed.directory, parsed.components[i]);
  }
  parsed.path = join_path(parsed.directory, parsed.components.back());
  if (parsed.components.size() == 3) {
    if (const auto id = checkpoint_dir_id(parsed.components[1]); id.has_value()) {
      parsed.in_checkpoint_dir = true;
      parsed.checkpoint_id = *id;
      parsed.is_metadata = parsed.components[2] == kMetadataFileName;
    }
  }
  return parsed;
}

Status FileCheckpointStorage::ensure_directories(const ParsedName& parsed) {
  std::string directory = root_dir_;
  for (std::size_t level = 0; level < parsed.components.size(); ++level) {
    Result<bool> exists = fs_.exists(directory);
    if (!exists.is_ok()) return exists.status();
    if (!exists.value()) {
      if (Status s = fs_.create_dir(directory); !s.is_ok()) return s;
      undurable_dirs_.insert(directory);
    }
    if (undurable_dirs_.contains(directory)) {
      // The new directory's name is durable only once its parent is synced. Until that
      // succeeded, every write into it tries again: a file synced into a directory
      // whose own name a power loss can take away is not durable.
      if (Status s = fs_.sync_dir(parent_directory(directory)); !s.is_ok()) return s;
      undurable_dirs_.erase(directory);
    }
    if (level + 1 < parsed.components.size()) directory = join_path(directory, parsed.components[level]);
  }
  CKPT_ASSERT(directory == parsed.directory, "created exactly the blob's directory chain");
  return Status::ok();
}

// --- named blobs ---

Status FileCheckpointStorage::write(const std::string& name, std::span<const std::uint8_t> payload) {
  Result<StagedFile> staged = stage(name, payload);
  if (!staged.is_ok()) return staged.status();
  return publish(staged.value());
}

Result<StagedFile> FileCheckpointStorage::stage(const std::string& name, std::span<const std::uint8_t> payload) {
  Result<ParsedName> parsed = parse_name(name);
  if (!parsed.is_ok()) return parsed.status();
  const ParsedName& p = parsed.value();
  if (payload.size() > options_.max_payload_bytes) {
    return Status::resource_exhausted("blob '" + name + "' of " + std::to_string(payload.size()) +
                                      " bytes exceeds the bound of " + std::to_string(options_.max_payload_bytes));
  }
  if (Status s = ensure_directories(p); !s.is_ok()) return s;
  StagedFile staged{name, p.path + "." + std::to_string(next_temp_number_++) + std::string(kTempSuffix), p.path,
                    p.directory, payload.size()};
  Status status = Status::ok();
  if (p.is_metadata) {
    Result<Bytes> metadata_payload = build_metadata_payload(p, payload);
    if (!metadata_payload.is_ok()) return metadata_payload.status();
    staged.payload_bytes = metadata_payload.value().size();
    status = write_staged(staged, StoredFileKind::kMetadata, metadata_payload.value());
  } else {
    status = write_staged(staged, StoredFileKind::kData, payload);
  }
  if (status.is_ok() && options_.verify_staged_files) status = verify_staged(staged, p.is_metadata);
  if (!status.is_ok()) {
    abandon(staged);
    return status;
  }
  return staged;
}

Status FileCheckpointStorage::verify_staged(const StagedFile& staged, bool is_metadata) {
  // A device that acknowledges a write it did not fully persist (a torn append) would
  // otherwise leave a published, acknowledged file that no reader accepts: the
  // checkpoint would be complete but unrestorable. Refuse it before it is published.
  const StoredFileKind kind = is_metadata ? StoredFileKind::kMetadata : StoredFileKind::kData;
  Result<Bytes> read_back = read_verified(staged.temp_path, "staged file of '" + staged.name + "'", kind);
  if (read_back.is_ok()) return Status::ok();
  if (read_back.status().code() == StatusCode::kCorruption) return read_back.status();
  return Status::io_error("reading back " + staged.name + ": " + read_back.status().message());
}

Status FileCheckpointStorage::write_staged(const StagedFile& staged, StoredFileKind kind,
                                           std::span<const std::uint8_t> payload) {
  const StoredFileFrame frame = frame_stored_file(kind, payload);
  Result<std::unique_ptr<WritableFile>> file = fs_.new_writable_file(staged.temp_path);
  if (!file.is_ok()) return file.status();
  WritableFile& writer = *file.value();
  Status status = writer.append(frame.header);
  if (status.is_ok() && !payload.empty()) status = writer.append(payload);
  if (status.is_ok()) status = writer.append(frame.footer);
  if (status.is_ok()) status = writer.sync();
  // Closed on every path; the first error wins.
  Status closed = writer.close();
  return status.is_ok() ? closed : status;
}

Status FileCheckpointStorage::publish(const StagedFile& staged) {
  // Whether the rename replaces a published file (a blob written again, e.g. jm-epoch).
  const Result<bool> replaces = fs_.exists(staged.final_path);
  if (Status s = fs_.rename(staged.temp_path, staged.final_path); !s.is_ok()) {
    abandon(staged);
    // A put never reports kNotFound (that means "no such blob" to a BlobStore caller):
    // a staged file that vanished (a power loss, a cleanup) is an I/O failure.
    if (s.code() == StatusCode::kNotFound) return Status::io_error("staged file vanished: " + s.message());
    return s;
  }
  if (Status s = fs_.sync_dir(staged.directory); !s.is_ok()) {
    // The rename may not survive a power loss: report failure. A new name is taken back
    // (best effort), so a failed write does not leave a visible blob behind. A replaced
    // name is left as it is: removing it would also destroy the value it held before,
    // which was durable (a failed rewrite of the job epoch would read as "no epoch").
    // Either value may then be read, the new one or, after a power loss, the old one.
    if (!replaces.is_ok() || !replaces.value()) (void)fs_.remove_file(staged.final_path);
    return s;
  }
  return Status::ok();
}

void FileCheckpointStorage::abandon(const StagedFile& staged) {
  // Best effort: a leftover temporary file is never read as data; at worst it makes its
  // (never completed) checkpoint directory refuse to commit or restore.
  (void)fs_.remove_file(staged.temp_path);
}

Result<Bytes> FileCheckpointStorage::read(const std::string& name) {
  Result<ParsedName> parsed = parse_name(name);
  if (!parsed.is_ok()) return parsed.status();
  const ParsedName& p = parsed.value();
  if (!p.is_metadata) return read_verified(p.path, name, StoredFileKind::kData);
  Result<CheckpointMetadataFile> metadata = read_metadata_file(p.directory, p.checkpoint_id);
  if (!metadata.is_ok()) return metadata.status();
  if (options_.verify_state_on_metadata_read) {
    if (Status s = verify_checkpoint_files(p.directory, metadata.value(), nullptr); !s.is_ok()) return s;
  }
  return std::move(metadata.value().user_metadata);
}

Status FileCheckpointStorage::remove(const std::string& name) {
  Result<ParsedName> parsed = parse_name(name);
  if (!parsed.is_ok()) return parsed.status();
  const ParsedName& p = parsed.value();
  Status removed = fs_.remove_file(p.path);
  if (removed.code() == StatusCode::kNotFound) return Status::ok();
  if (!removed.is_ok()) return removed;
  if (Status s = fs_.sync_dir(p.directory); !s.is_ok()) return s;
  if (p.in_checkpoint_dir) (void)remove_dir_if_empty(p.directory);
  return Status::ok();
}

Status FileCheckpointStorage::remove_dir_if_empty(const std::string& directory) {
  Result<std::vector<DirEntry>> entries = fs_.list_dir(directory, 1);
  if (!entries.is_ok() || !entries.value().empty()) return entries.is_ok() ? Status::ok() : entries.status();
  if (Status s = fs_.remove_dir(directory); !s.is_ok()) return s;
  return fs_.sync_dir(parent_directory(directory));
}

Result<std::vector<std::string>> FileCheckpointStorage::list(const std::string& prefix) {
  std::vector<std::string> names;
  const std::size_t slash = prefix.find_last_of('/');
  const std::string relative = slash == std::string::npos ? "" : prefix.substr(0, slash);
  std::string start = root_dir_;
  if (!relative.empty()) {
    Result<ParsedName> parsed = parse_name(relative);
    if (!parsed.is_ok()) return names;  // no valid blob name starts with this prefix
    start = parsed.value().path;
  }
  Status status = Status::ok();
  collect_names(start, relative, prefix, names, status);
  if (!status.is_ok()) return status;
  std::sort(names.begin(), names.end());
  return names;
}

void FileCheckpointStorage::collect_names(const std::string& directory, const std::string& relative,
                                          const std::string& prefix, std::vector<std::string>& names, Status& status) {
  Result<std::vector<DirEntry>> entries = fs_.list_dir(directory, options_.max_dir_entries);
  if (!entries.is_ok()) {
    if (entries.status().code() != StatusCode::kNotFound) status = entries.status();
    return;
  }
  for (const DirEntry& entry : entries.value()) {
    const std::string name = relative.empty() ? entry.name : relative + "/" + entry.name;
    if (entry.is_directory) {
      const std::string as_prefix = name + "/";
      const bool may_match = as_prefix.starts_with(prefix) || prefix.starts_with(as_prefix);
      const bool too_deep = static_cast<std::size_t>(std::count(name.begin(), name.end(), '/')) + 2 >
                            options_.max_name_depth;
      if (may_match && !too_deep) collect_names(join_path(directory, entry.name), name, prefix, names, status);
    } else if (!is_temp_file_name(entry.name) && name.starts_with(prefix)) {
      if (names.size() == options_.max_list_results) {
        status = Status::resource_exhausted("listing '" + prefix + "' exceeds " +
                                            std::to_string(options_.max_list_results) + " names");
      } else {
        names.push_back(name);
      }
    }
    if (!status.is_ok()) return;
  }
}

// --- checkpoints ---

Status FileCheckpointStorage::write_state_file(const std::string& job, CheckpointId id, const std::string& file,
                                               std::span<const std::uint8_t> payload) {
  if (file == kMetadataFileName) return Status::invalid_argument("a state file cannot be named _metadata");
  return write(state_file_name(job, id, file), payload);
}

Status FileCheckpointStorage::commit_checkpoint(const std::string& job, CheckpointId id,
                                                std::span<const std::uint8_t> metadata) {
  return write(metadata_name(job, id), metadata);
}

Result<Bytes> FileCheckpointStorage::build_metadata_payload(const ParsedName& parsed,
                                                            std::span<const std::uint8_t> metadata) {
  Result<std::vector<DirEntry>> entries = fs_.list_dir(parsed.directory, options_.max_dir_entries);
  if (!entries.is_ok()) return entries.status();
  CheckpointMetadataFile file;
  file.id = parsed.checkpoint_id;
  file.user_metadata.assign(metadata.begin(), metadata.end());
  for (const DirEntry& entry : entries.value()) {
    if (entry.is_directory || entry.name == kMetadataFileName) continue;
    if (is_temp_file_name(entry.name)) {
      return Status::corruption("cannot commit " + parsed.components[1] + ": leftover temporary file " + entry.name);
    }
    if (file.files.size() == options_.max_files_per_checkpoint) {
      return Status::resource_exhausted(parsed.components[1] + " holds more than " +
                                        std::to_string(options_.max_files_per_checkpoint) + " files");
    }
    Result<ManifestEntry> manifest_entry = manifest_entry_of(parsed.directory, entry.name);
    if (!manifest_entry.is_ok()) return manifest_entry.status();
    file.files.push_back(std::move(manifest_entry.value()));
  }
  return encode_metadata_payload(file);
}

Result<ManifestEntry> FileCheckpointStorage::manifest_entry_of(const std::string& directory, const std::string& file) {
  const std::string path = join_path(directory, file);
  Result<std::uint64_t> size = fs_.file_size(path);
  if (!size.is_ok()) return size.status();
  if (size.value() < kStoredFileFrameBytes) return Status::corruption(path + ": too short to be a stored file");
  Result<Bytes> footer = fs_.read_file_range(path, size.value() - kStoredFileFooterBytes, kStoredFileFooterBytes);
  if (!footer.is_ok()) return footer.status();
  Result<std::uint32_t> checksum = decode_stored_file_footer(footer.value(), path);
  if (!checksum.is_ok()) return checksum.status();
  return ManifestEntry{file, size.value(), checksum.value()};
}

Result<Bytes> FileCheckpointStorage::read_verified(const std::string& path, const std::string& what,
                                                   StoredFileKind expected_kind) {
  Result<Bytes> file = fs_.read_file(path, options_.max_payload_bytes + kStoredFileFrameBytes);
  if (!file.is_ok()) {
    if (file.status().code() != StatusCode::kResourceExhausted) return file.status();
    return Status::corruption(what + ": larger than any file this storage writes");
  }
  Result<DecodedStoredFile> decoded = decode_stored_file(file.value(), what);
  if (!decoded.is_ok()) return decoded.status();
  if (decoded.value().kind != expected_kind) return Status::corruption(what + ": unexpected file kind");
  const std::span<const std::uint8_t> payload = decoded.value().payload;
  return Bytes(payload.begin(), payload.end());
}

Result<CheckpointMetadataFile> FileCheckpointStorage::read_metadata_file(const std::string& directory,
                                                                         CheckpointId id) {
  const std::string what = "checkpoint " + std::to_string(id) + " _metadata";
  Result<Bytes> payload = read_verified(join_path(directory, std::string(kMetadataFileName)), what,
                                        StoredFileKind::kMetadata);
  if (!payload.is_ok()) return payload.status();
  const MetadataLimits limits{options_.max_files_per_checkpoint, options_.max_component_bytes,
                              options_.max_payload_bytes};
  Result<CheckpointMetadataFile> metadata = decode_metadata_payload(payload.value(), limits, what);
  if (!metadata.is_ok()) return metadata.status();
  if (metadata.value().id != id) {
    return Status::corruption(what + " describes checkpoint " + std::to_string(metadata.value().id));
  }
  return metadata;
}

Status FileCheckpointStorage::verify_checkpoint_files(const std::string& directory,
                                                      const CheckpointMetadataFile& metadata,
                                                      std::map<std::string, Bytes>* payloads) {
  const std::string checkpoint = "checkpoint " + std::to_string(metadata.id);
  Result<std::vector<DirEntry>> entries = fs_.list_dir(directory, options_.max_dir_entries);
  if (!entries.is_ok()) return entries.status();
  for (const DirEntry& entry : entries.value()) {
    if (is_temp_file_name(entry.name)) {
      return Status::corruption(checkpoint + " is half-written: leftover temporary file " + entry.name);
    }
  }
  for (const ManifestEntry& expected : metadata.files) {
    const std::string what = checkpoint + " state file " + expected.name;
    Result<Bytes> file = fs_.read_file(join_path(directory, expected.name), expected.file_bytes);
    if (!file.is_ok()) {
      if (!marks_unusable_checkpoint(file.status()) && file.status().code() != StatusCode::kResourceExhausted) {
        return file.status();
      }
      return Status::corruption(what + " (named by the manifest) is missing or has the wrong size: " +
                                file.status().message());
    }
    if (file.value().size() != expected.file_bytes) {
      return Status::corruption(what + " holds " + std::to_string(file.value().size()) + " bytes, the manifest says " +
                                std::to_string(expected.file_bytes));
    }
    Result<DecodedStoredFile> decoded = decode_stored_file(file.value(), what);
    if (!decoded.is_ok()) return decoded.status();
    if (decoded.value().checksum != expected.checksum || decoded.value().kind != StoredFileKind::kData) {
      return Status::corruption(what + " is intact but not the file the manifest names");
    }
    if (payloads != nullptr) {
      const std::span<const std::uint8_t> payload = decoded.value().payload;
      (*payloads)[expected.name] = Bytes(payload.begin(), payload.end());
    }
  }
  return Status::ok();
}

Result<RestoredCheckpoint> FileCheckpointStorage::read_checkpoint(const std::string& job, CheckpointId id) {
  Result<ParsedName> parsed = parse_name(metadata_name(job, id));
  if (!parsed.is_ok()) return parsed.status();
  const std::string& directory = parsed.value().directory;
  Result<bool> exists = fs_.exists(directory);
  if (!exists.is_ok()) return exists.status();
  if (!exists.value()) return Status::not_found("no directory for checkpoint " + std::to_string(id) + " of " + job);
  Result<CheckpointMetadataFile> metadata = read_metadata_file(directory, id);
  if (!metadata.is_ok()) {
    if (metadata.status().code() != StatusCode::kNotFound) return metadata.status();
    return Status::corruption("checkpoint " + std::to_string(id) + " is half-written: no _metadata");
  }
  RestoredCheckpoint restored;
  restored.id = id;
  if (Status s = verify_checkpoint_files(directory, metadata.value(), &restored.state_files); !s.is_ok()) return s;
  restored.metadata = std::move(metadata.value().user_metadata);
  return restored;
}

Result<std::vector<CheckpointId>> FileCheckpointStorage::checkpoint_dir_ids(const std::string& job) {
  Result<ParsedName> parsed = parse_name(metadata_name(job, 1));
  if (!parsed.is_ok()) return parsed.status();
  const std::string job_dir = parent_directory(parsed.value().directory);
  Result<std::vector<DirEntry>> entries = fs_.list_dir(job_dir, options_.max_dir_entries);
  if (!entries.is_ok()) {
    if (entries.status().code() == StatusCode::kNotFound) return std::vector<CheckpointId>{};
    return entries.status();
  }
  std::vector<CheckpointId> ids;
  for (const DirEntry& entry : entries.value()) {
    const auto id = checkpoint_dir_id(entry.name);
    if (entry.is_directory && id.has_value()) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<CheckpointId>> FileCheckpointStorage::list_completed(const std::string& job) {
  Result<std::vector<CheckpointId>> ids = checkpoint_dir_ids(job);
  if (!ids.is_ok()) return ids.status();
  std::vector<CheckpointId> completed;
  for (const CheckpointId id : ids.value()) {
    Result<CheckpointMetadataFile> metadata = read_metadata_file(root_dir_ + "/" + checkpoint_dir_name(job, id), id);
    if (metadata.is_ok()) {
      completed.push_back(id);
    } else if (!marks_unusable_checkpoint(metadata.status())) {
      return metadata.status();
    }
  }
  return completed;
}

Result<RestoredCheckpoint> FileCheckpointStorage::latest_restorable(const std::string& job,
                                                                    std::vector<std::string>* skipped) {
  Result<std::vector<CheckpointId>> completed = list_completed(job);
  if (!completed.is_ok()) return completed.status();
  for (auto it = completed.value().rbegin(); it != completed.value().rend(); ++it) {
    Result<RestoredCheckpoint> restored = read_checkpoint(job, *it);
    if (restored.is_ok() || !marks_unusable_checkpoint(restored.status())) return restored;
    if (skipped != nullptr) skipped->push_back(restored.status().to_string());
  }
  return Status::not_found("no restorable checkpoint of job " + job);
}

Status FileCheckpointStorage::remove_checkpoint(const std::string& job, CheckpointId id) {
  Result<ParsedName> parsed = parse_name(metadata_name(job, id));
  if (!parsed.is_ok()) return parsed.status();
  const std::string& directory = parsed.value().directory;
  // _metadata first, durably: from then on the checkpoint is merely incomplete.
  Status removed = fs_.remove_file(parsed.value().path);
  if (removed.is_ok()) removed = fs_.sync_dir(directory);
  if (removed.code() == StatusCode::kNotFound) {
    Result<bool> exists = fs_.exists(directory);
    if (!exists.is_ok()) return exists.status();
    if (!exists.value()) return Status::ok();  // already gone: idempotent
  } else if (!removed.is_ok()) {
    return removed;
  }
  Result<std::vector<DirEntry>> entries = fs_.list_dir(directory, options_.max_dir_entries);
  if (!entries.is_ok()) return entries.status();
  for (const DirEntry& entry : entries.value()) {
    if (entry.is_directory) return Status::io_error("checkpoint directory " + directory + " holds a directory");
    Status s = fs_.remove_file(join_path(directory, entry.name));
    if (!s.is_ok() && s.code() != StatusCode::kNotFound) return s;
  }
  if (Status s = fs_.remove_dir(directory); !s.is_ok() && s.code() != StatusCode::kNotFound) return s;
  return fs_.sync_dir(parent_directory(directory));
}

Result<RetentionReport> FileCheckpointStorage::retain(const std::string& job, std::size_t num_retained) {
  CKPT_ASSERT(num_retained >= 1, "retain at least one checkpoint");
  Result<std::vector<CheckpointId>> completed = list_completed(job);
  if (!completed.is_ok()) return completed.status();
  RetentionReport report;
  const std::vector<CheckpointId>& ids = completed.value();
  if (ids.empty()) return report;
  const std::size_t first_kept = ids.size() > num_retained ? ids.size() - num_retained : 0;
  report.retained.assign(ids.begin() + static_cast<std::ptrdiff_t>(first_kept), ids.end());
  for (std::size_t i = 0; i < first_kept; ++i) {
    if (Status s = remove_checkpoint(job, ids[i]); !s.is_ok()) return s;
    report.removed_completed.push_back(ids[i]);
  }
  Result<std::vector<CheckpointId>> all = checkpoint_dir_ids(job);
  if (!all.is_ok()) return all.status();
  for (const CheckpointId id : all.value()) {
    if (id >= report.retained.front()) break;
    if (std::binary_search(ids.begin(), ids.end(), id)) continue;  // completed: handled above
    if (Status s = remove_checkpoint(job, id); !s.is_ok()) return s;
    report.removed_incomplete.push_back(id);
  }
  CKPT_ASSERT(!report.retained.empty() && report.retained.size() <= num_retained, "retention keeps 1..n checkpoints");
  return report;
}

// --- FileBlobStore ---

FileBlobStore::FileBlobStore(FileCheckpointStorage& storage, CompletionExecutor executor)
    : storage_(storage), executor_(std::move(executor)) {
  CKPT_ASSERT(executor_ != nullptr, "completions need an executor");
}

void FileBlobStore::put(const std::string& name, Bytes bytes, std::function<void(Status)> done) {
  Status status = storage_.write(name, bytes);
  executor_([status = std::move(status), done = std::move(done)]() mutable {
    if (done) done(std::move(status));
  });
}

void FileBlobStore::get(const std::string& name, std::function<void(Result<Bytes>)> done) {
  CKPT_ASSERT(done != nullptr, "a get needs a completion");
  Result<Bytes> result = storage_.read(name);
  executor_([result = std::move(result), done = std::move(done)]() mutable { done(std::move(result)); });
}

void FileBlobStore::remove(const std::string& name, std::function<void(Status)> done) {
  Status status = storage_.remove(name);
  executor_([status = std::move(status), done = std::move(done)]() mutable {
    if (done) done(std::move(status));
  });
}

std::vector<std::string> FileBlobStore::list(const std::string& prefix) const {
  Result<std::vector<std::string>> names = storage_.list(prefix);
  // BlobStore::list has no error channel: an unreadable directory lists as empty.
  return names.is_ok() ? std::move(names.value()) : std::vector<std::string>{};
}

}  // namespace ckptsim
