// Durable storage for checkpoint data and checkpoint metadata, as the protocol sees it:
// named immutable blobs (like objects in S3 or files under a checkpoint directory).
//
// Operations are asynchronous: the caller is told the outcome later, through `done`,
// on its own process. In simulation a put becomes visible only when its modelled
// duration has elapsed; if the calling process crashes before that, the upload is lost
// (never visible) and `done` never runs, like an object-store upload cut short. A real
// runtime completes on an I/O thread and posts `done` back to the task's event loop.
//
// Contract:
//  * put: after done(ok), get(name) returns exactly these bytes until remove(name),
//    across crashes of the caller. A failed put of a new name leaves no visible blob
//    under `name`; a failed put over an existing blob leaves the old bytes or the new
//    ones (never a mix, never nothing).
//  * get: returns kNotFound for unknown names, kCorruption if the stored bytes fail
//    their checksum. Never returns bytes that differ from what was put.
//  * names are '/'-separated paths; list(prefix) returns names in lexicographic order.
//  * put_modelled: a put whose modelled cost (duration, capacity, what a simulator logs)
//    is that of `modelled_size_bytes` instead of bytes.size(). Used for bytes whose
//    physical size is not deterministic (RocksDB SST files embed ids and timestamps),
//    so that only a deterministic logical measure reaches a simulator's decisions. A
//    real store ignores the hint (the default forwards to put).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocol/base/status.h"

namespace ckptsim {

using Bytes = std::vector<std::uint8_t>;

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) = 0;
  virtual void put_modelled(const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
                            std::function<void(Status)> done) {
    (void)modelled_size_bytes;
    put(name, std::move(bytes), std::move(done));
  }
  virtual void get(const std::string& name, std::function<void(Result<Bytes>)> done) = 0;
  virtual void remove(const std::string& name, std::function<void(Status)> done) = 0;
  // Synchronous listing of committed names under prefix, in lexicographic order.
  virtual std::vector<std::string> list(const std::string& prefix) const = 0;
};

}  // namespace ckptsim
