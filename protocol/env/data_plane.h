// How tasks obtain their data channels (Flink's partition request / connection manager,
// reduced to what the protocol needs).
//
// A logical channel of one deployment is named by (epoch, logical channel id). Both
// ends call connect() with the same name when they are deployed; the first call opens
// the connection, the second gets the same ChannelId. A connection cannot be opened when
// either end's process is down (kUnavailable). A task that goes away detaches its end:
// its listeners are dropped and the channel is closed for good.
#pragma once

#include <cstdint>
#include <functional>

#include "protocol/base/status.h"
#include "protocol/env/transport.h"

namespace ckptsim {

class DataPlane {
 public:
  virtual ~DataPlane() = default;
  virtual Result<ChannelId> connect(std::uint64_t epoch, std::uint32_t logical_channel, ProcessId producer,
                                    ProcessId consumer) = 0;
  virtual ChannelWriter& writer(ChannelId id) = 0;
  virtual ChannelReader& reader(ChannelId id) = 0;
  virtual void set_on_readable(ChannelId id, std::function<void()> listener) = 0;
  virtual void set_on_writable(ChannelId id, std::function<void()> listener) = 0;
  virtual void set_on_failed(ChannelId id, bool producer_side, std::function<void(Status)> listener) = 0;
  // Drops this end's listeners and closes the channel.
  virtual void detach(ChannelId id, bool producer_side) = 0;
};

}  // namespace ckptsim
