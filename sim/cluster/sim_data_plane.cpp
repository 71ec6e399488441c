#include "sim/cluster/sim_data_plane.h"

#include "sim/simulation.h"

namespace ckptsim::sim {

SimDataPlane::SimDataPlane(Simulation& simulation, ChannelConfig config) : simulation_(simulation), config_(config) {}

Result<ChannelId> SimDataPlane::connect(std::uint64_t epoch, std::uint32_t logical_channel, ProcessId producer,
                                        ProcessId consumer) {
  const auto key = std::make_pair(epoch, logical_channel);
  auto it = connections_.find(key);
  if (it != connections_.end()) {
    const ChannelNetwork& net = simulation_.channels();
    if (net.sender_of(it->second) != producer || net.receiver_of(it->second) != consumer) {
      return Status::invalid_argument("both ends of a logical channel must agree on its endpoints");
    }
    return it->second;
  }
  if (!simulation_.is_alive(producer) || !simulation_.is_alive(consumer)) {
    return Status::unavailable("cannot connect: an endpoint process is down");
  }
  const ChannelId id = simulation_.channels().open(producer, consumer, config_);
  connections_.emplace(key, id);
  names_.emplace(id, key);
  return id;
}

ChannelWriter& SimDataPlane::writer(ChannelId id) { return simulation_.channels().writer(id); }
ChannelReader& SimDataPlane::reader(ChannelId id) { return simulation_.channels().reader(id); }
void SimDataPlane::set_on_readable(ChannelId id, std::function<void()> l) { simulation_.channels().set_on_readable(id, std::move(l)); }
void SimDataPlane::set_on_writable(ChannelId id, std::function<void()> l) { simulation_.channels().set_on_writable(id, std::move(l)); }
void SimDataPlane::set_on_failed(ChannelId id, bool producer_side, std::function<void(Status)> l) {
  simulation_.channels().set_on_failed(id, producer_side, std::move(l));
}

void SimDataPlane::detach(ChannelId id, bool producer_side) {
  ChannelNetwork& net = simulation_.channels();
  if (producer_side) {
    net.set_on_writable(id, nullptr);
  } else {
    net.set_on_readable(id, nullptr);
  }
  net.set_on_failed(id, producer_side, nullptr);
  // A channel whose task went away is closed for good: fail it so its buffers are
  // freed and the other end (if still deployed) learns the connection is gone.
  net.close(id);
  auto name = names_.find(id);
  if (name != names_.end()) {
    connections_.erase(name->second);
    names_.erase(name);
  }
}

}  // namespace ckptsim::sim
