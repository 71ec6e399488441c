// The simulator's DataPlane: logical channels of a deployment epoch mapped onto kernel
// data channels. The first connect() for (epoch, logical channel) opens the kernel
// channel; the second returns it. Detaching an end drops its listeners; when both ends
// detached (or one detached and the other is gone) the channel is failed so buffers
// held in it are released.
#pragma once

#include <map>
#include <utility>

#include "protocol/env/data_plane.h"
#include "sim/channel_network.h"

namespace ckptsim::sim {

class SimDataPlane final : public DataPlane {
 public:
  SimDataPlane(Simulation& simulation, ChannelConfig config);

  Result<ChannelId> connect(std::uint64_t epoch, std::uint32_t logical_channel, ProcessId producer,
                            ProcessId consumer) override;
  ChannelWriter& writer(ChannelId id) override;
  ChannelReader& reader(ChannelId id) override;
  void set_on_readable(ChannelId id, std::function<void()> listener) override;
  void set_on_writable(ChannelId id, std::function<void()> listener) override;
  void set_on_failed(ChannelId id, bool producer_side, std::function<void(Status)> listener) override;
  void detach(ChannelId id, bool producer_side) override;
  std::size_t open_connections() const { return connections_.size(); }

 private:
  Simulation& simulation_;
  ChannelConfig config_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, ChannelId> connections_;   // live logical channels
  std::map<ChannelId, std::pair<std::uint64_t, std::uint32_t>> names_;
};

}  // namespace ckptsim::sim
