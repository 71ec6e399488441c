#include "sim/storage/rocksdb_simulation_env.h"

#include <algorithm>
#include <utility>

namespace ckptsim::sim {
namespace {

// Forwards everything to a composite Env over the file system; only sleeps are capped.
// RocksDB's clock (Env::GetSystemClock of an EnvWrapper) calls back into this Env's
// SleepForMicroseconds.
class ShortSleepEnv final : public rocksdb::EnvWrapper {
 public:
  explicit ShortSleepEnv(std::unique_ptr<rocksdb::Env> target) : rocksdb::EnvWrapper(std::move(target)) {}

  static const char* kClassName() { return "CkptsimShortSleepEnv"; }
  const char* Name() const override { return kClassName(); }

  void SleepForMicroseconds(int micros) override {
    rocksdb::EnvWrapper::SleepForMicroseconds(std::min(micros, kMaxRocksDbSleepMicros));
  }
};

}  // namespace

std::unique_ptr<rocksdb::Env> new_rocksdb_simulation_env(const std::shared_ptr<rocksdb::FileSystem>& fs) {
  return std::make_unique<ShortSleepEnv>(rocksdb::NewCompositeEnv(fs));
}

}  // namespace ckptsim::sim
