// What travels on a data channel: buffers of serialized records, and in-band events.
// NetworkBuffer::kind holds one of these; NetworkBuffer::tag the checkpoint id of a
// barrier or cancel marker.
#pragma once

#include <cstdint>

namespace ckptsim {

enum class ChannelEvent : std::uint32_t {
  kRecords = 0,          // bytes: records in record_codec format
  kBarrier = 1,          // tag: checkpoint id (aligned, in-band)
  kCancelBarrier = 2,    // tag: checkpoint id to abort downstream (CancelCheckpointMarker)
  kEndOfPartition = 3,   // the producer will send nothing more
};

inline constexpr std::uint32_t to_kind(ChannelEvent event) { return static_cast<std::uint32_t>(event); }

}  // namespace ckptsim
