// Checkpoint vocabulary: task references, failure reasons and the metadata format.
#include <catch2/catch.hpp>

#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/checkpoint/checksummed_writer.h"
#include "protocol/state/byte_io.h"
#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

CompletedCheckpoint sample_checkpoint() {
  CompletedCheckpoint checkpoint;
  checkpoint.id = 42;
  checkpoint.trigger_time_ns = 5 * kSecond;
  checkpoint.completion_time_ns = 7 * kSecond + 3;
  for (std::uint32_t subtask = 0; subtask < 4; ++subtask) {
    const TaskRef task{subtask, 2};
    checkpoint.states[subtask] = testing::make_state(checkpoint.id, task);
    checkpoint.metrics[subtask] = testing::make_metrics(task);
  }
  checkpoint.states[3].blob_names.push_back("job/shared/sst-0001");
  checkpoint.states[3].blob_names.push_back("");  // empty names survive too
  return checkpoint;
}

TEST_CASE("coordinator types: task refs order by subtask then attempt", "[unit][coordinator]") {
  CHECK(TaskRef{1, 0} < TaskRef{1, 1});
  CHECK(TaskRef{1, 9} < TaskRef{2, 0});
  CHECK(TaskRef{3, 4} == TaskRef{3, 4});
  CHECK(TaskRef{3, 4} != TaskRef{3, 5});
  CHECK(to_string(TaskRef{3, 4}) == "subtask 3 attempt 4");
}

TEST_CASE("coordinator types: only Flink's four reasons count toward tolerable failures", "[unit][coordinator]") {
  CHECK(counts_toward_tolerable_failures(CheckpointFailureReason::kCheckpointExpired));
  CHECK(counts_toward_tolerable_failures(CheckpointFailureReason::kCheckpointDeclined));
  CHECK(counts_toward_tolerable_failures(CheckpointFailureReason::kIoException));
  CHECK(counts_toward_tolerable_failures(CheckpointFailureReason::kCheckpointAsyncException));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kCheckpointSubsumed));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kTooManyCheckpointRequests));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kMinimumTimeBetweenCheckpoints));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kJobFailover));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kTaskFailure));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kCheckpointDeclinedTaskNotReady));
  CHECK_FALSE(counts_toward_tolerable_failures(CheckpointFailureReason::kFinalizeCheckpointFailure));
  CHECK(std::string(name(CheckpointFailureReason::kCheckpointExpired)) == "CHECKPOINT_EXPIRED");
  CHECK(is_pre_flight(CheckpointFailureReason::kMinimumTimeBetweenCheckpoints));
  CHECK_FALSE(is_pre_flight(CheckpointFailureReason::kCheckpointExpired));
}

TEST_CASE("coordinator types: checkpoint ids parse strictly", "[unit][coordinator]") {
  CHECK(parse_checkpoint_id("1") == CheckpointId{1});
  CHECK(parse_checkpoint_id("1234567") == CheckpointId{1234567});
  CHECK_FALSE(parse_checkpoint_id("0").has_value());
  CHECK_FALSE(parse_checkpoint_id("01").has_value());
  CHECK_FALSE(parse_checkpoint_id("-3").has_value());
  CHECK_FALSE(parse_checkpoint_id("12a").has_value());
  CHECK_FALSE(parse_checkpoint_id("").has_value());
  CHECK_FALSE(parse_checkpoint_id("9999999999999999999999").has_value());
}

TEST_CASE("coordinator types: subtask maps keep increasing subtask order whatever the insertion order",
          "[unit][coordinator]") {
  SubtaskMap<int> map;
  CHECK(map.emplace(5, 50).second);
  CHECK(map.emplace(9, 90).second);
  CHECK(map.emplace(1, 10).second);
  CHECK_FALSE(map.emplace(5, 51).second);  // present: not replaced
  map[7] = 70;
  std::vector<std::uint32_t> keys;
  for (const auto& [subtask, value] : map) keys.push_back(subtask);
  CHECK(keys == std::vector<std::uint32_t>{1, 5, 7, 9});
  CHECK(map.at(5) == 50);
  CHECK(map.find(6) == map.end());
  CHECK(map.count(9) == 1);
  CHECK(map.size() == 4);

  CompletedCheckpoint forward = sample_checkpoint();
  CompletedCheckpoint backward = forward;
  backward.states.clear();
  backward.metrics.clear();
  for (std::uint32_t subtask = 4; subtask-- > 0;) {
    backward.states.emplace(subtask, forward.states.at(subtask));
    backward.metrics.emplace(subtask, forward.metrics.at(subtask));
  }
  CHECK(backward == forward);
  CHECK(serialize_checkpoint_metadata(backward) == serialize_checkpoint_metadata(forward));
}

TEST_CASE("coordinator types: the checksummed writer's hash is FNV-1a of the bytes it wrote",
          "[unit][coordinator]") {
  // Every width of significant bytes, zero, the extremes, then a deterministic spread.
  std::vector<std::uint64_t> values = {0, 1, 0xff, 0x100, 0xffff, 0x1'0000, UINT32_MAX, 1ULL << 32,
                                       1ULL << 56, 0x00ff'0000'0000'0000, UINT64_MAX, 0x8000'0000'0000'0001};
  std::uint64_t lcg = 12345;
  for (int i = 0; i < 200; ++i) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    values.push_back(lcg >> (lcg % 64));  // all magnitudes
  }
  const std::string text = "job/chk-1/subtask-0";
  const std::size_t size_bytes = values.size() * (8 + 4) + 4 + text.size() + 8;
  ChecksummedWriter writer(size_bytes);
  ByteWriter reference;
  for (const std::uint64_t value : values) {
    writer.put_u64(value);
    writer.put_u32(static_cast<std::uint32_t>(value));
    reference.put_u64(value);
    reference.put_u32(static_cast<std::uint32_t>(value));
    REQUIRE(writer.checksum() == fnv1a64(reference.bytes().data(), reference.size()));
  }
  writer.put_string(text);
  reference.put_string(text);
  CHECK(writer.checksum() == fnv1a64(reference.bytes().data(), reference.size()));
  reference.put_u64(writer.checksum());
  CHECK(std::move(writer).finish_with_checksum() == reference.bytes());
}

TEST_CASE("coordinator types: metadata round trip preserves every field", "[unit][coordinator]") {
  const CompletedCheckpoint original = sample_checkpoint();
  const Bytes bytes = serialize_checkpoint_metadata(original);
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(bytes);
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == original);
  // Serialization is deterministic.
  CHECK(serialize_checkpoint_metadata(decoded.value()) == bytes);
}

TEST_CASE("coordinator types: metadata with no states round trips", "[unit][coordinator]") {
  CompletedCheckpoint empty;
  empty.id = 1;
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(serialize_checkpoint_metadata(empty));
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == empty);
}

TEST_CASE("coordinator types: flipping any byte of metadata gives corruption", "[unit][coordinator]") {
  const Bytes bytes = serialize_checkpoint_metadata(sample_checkpoint());
  for (std::size_t index = 0; index < bytes.size(); ++index) {
    Bytes damaged = bytes;
    damaged[index] ^= 0x01;
    Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(damaged);
    INFO("flipped byte " << index);
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("coordinator types: truncated or extended metadata gives corruption", "[unit][coordinator]") {
  const Bytes bytes = serialize_checkpoint_metadata(sample_checkpoint());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const Bytes truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(truncated);
    INFO("truncated to " << size << " bytes");
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == StatusCode::kCorruption);
  }
  Bytes extended = bytes;
  extended.push_back(0);
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(extended);
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().code() == StatusCode::kCorruption);
}

TEST_CASE("coordinator types: a well-formed buffer with a huge count is rejected before allocating",
          "[unit][coordinator]") {
  CompletedCheckpoint empty;
  empty.id = 9;
  Bytes bytes = serialize_checkpoint_metadata(empty);
  // Payload: id, trigger, completion (24 bytes), then the state count at header + 24.
  const std::size_t count_offset = 24 + 24;
  for (std::size_t i = 0; i < 4; ++i) bytes[count_offset + i] = 0xff;
  // Re-seal the checksum so only the count is wrong.
  const std::size_t checksum_offset = bytes.size() - 8;
  const std::uint64_t checksum = fnv1a64(bytes.data(), checksum_offset);
  for (std::size_t i = 0; i < 8; ++i) bytes[checksum_offset + i] = static_cast<std::uint8_t>(checksum >> (8 * i));
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(bytes);
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().code() == StatusCode::kCorruption);
}

}  // namespace
}  // namespace ckptsim
