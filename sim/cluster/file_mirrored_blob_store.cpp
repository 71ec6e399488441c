#include "sim/cluster/file_mirrored_blob_store.h"

namespace ckptsim::sim {

FileMirroredBlobStore::FileMirroredBlobStore(BlobStore& simulated, FileCheckpointStorage& files,
                                             FileMirrorCounters& counters)
    : simulated_(simulated), files_(files), counters_(counters) {}

void FileMirroredBlobStore::put(const std::string& name, Bytes bytes, std::function<void(Status)> done) {
  Bytes copy = bytes;
  simulated_.put(name, std::move(bytes), mirror_after_put(name, std::move(copy), std::move(done)));
}

void FileMirroredBlobStore::put_modelled(const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
                                         std::function<void(Status)> done) {
  Bytes copy = bytes;
  simulated_.put_modelled(name, std::move(bytes), modelled_size_bytes,
                          mirror_after_put(name, std::move(copy), std::move(done)));
}

std::function<void(Status)> FileMirroredBlobStore::mirror_after_put(const std::string& name, Bytes copy,
                                                                    std::function<void(Status)> done) {
  return [this, name, copy = std::move(copy), done = std::move(done)](Status status) {
    if (status.is_ok()) {
      status = files_.write(name, copy);
      if (status.is_ok()) {
        ++counters_.files_written;
        counters_.bytes_written += copy.size();
        counters_.unacknowledged.erase(name);
      } else {
        ++counters_.errors;
        ++counters_.failed_writes;
        counters_.unacknowledged.insert(name);
      }
    }
    if (done) done(std::move(status));
  };
}

void FileMirroredBlobStore::get(const std::string& name, std::function<void(Result<Bytes>)> done) {
  simulated_.get(name, [this, name, done = std::move(done)](Result<Bytes> result) {
    if (result.is_ok()) {
      Result<Bytes> stored = files_.read(name);
      ++counters_.files_read;
      const bool acknowledged = !counters_.unacknowledged.contains(name);
      if (!stored.is_ok()) {
        ++counters_.errors;
        if (stored.status().code() == StatusCode::kCorruption) ++counters_.refused_reads;
        if (acknowledged && stored.status().code() == StatusCode::kNotFound) {
          ++counters_.lost_acknowledged;
          result = Status::corruption("checkpoint file '" + name + "' was acknowledged but is gone");
        } else {
          result = stored.status();
        }
      } else if (!acknowledged) {
        result = std::move(stored).value();  // the value the files really hold
      } else if (stored.value() != result.value()) {
        ++counters_.errors;
        ++counters_.lost_acknowledged;
        result = Status::corruption("checkpoint file '" + name + "' differs from the blob that was stored");
      }
    }
    done(std::move(result));
  });
}

void FileMirroredBlobStore::remove(const std::string& name, std::function<void(Status)> done) {
  simulated_.remove(name, [this, name, done = std::move(done)](Status status) {
    if (status.is_ok()) {
      status = files_.remove(name);
      if (status.is_ok()) {
        ++counters_.files_removed;
        counters_.unacknowledged.erase(name);
      } else {
        ++counters_.errors;
      }
    }
    if (done) done(std::move(status));
  });
}

}  // namespace ckptsim::sim
