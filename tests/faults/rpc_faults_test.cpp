#include <catch2/catch.hpp>

#include "faults/rpc_faults.h"
#include "fault_test_world.h"
#include "protocol/runtime/messages.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

constexpr auto type_of(MessageType type) { return static_cast<std::uint32_t>(type); }

}  // namespace

TEST_CASE("rpc faults: rpc-loss loses only the message types it names", "[unit][faults]") {
  TestWorld w;
  ScheduledFault loss = lasting_fault("rpc-loss", 0, 100 * kMillisecond);
  loss.params = {{"messages", "trigger"}};
  REQUIRE(w.add({loss}).is_ok());
  w.send_at(10 * kMillisecond, w.jm, w.tms[0], type_of(MessageType::kTriggerCheckpoint));
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, type_of(MessageType::kAcknowledgeCheckpoint));
  w.send_at(10 * kMillisecond, w.jm, w.tms[0], type_of(MessageType::kHeartbeatRequest));
  w.send_at(150 * kMillisecond, w.jm, w.tms[0], type_of(MessageType::kTriggerCheckpoint));
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 3);
  CHECK(w.received[0].type == type_of(MessageType::kAcknowledgeCheckpoint));
  CHECK(w.received[1].type == type_of(MessageType::kHeartbeatRequest));
  CHECK(w.received[2].time_ns == 151 * kMillisecond);
}

TEST_CASE("rpc faults: rpc-loss filtered by sender and receiver", "[unit][faults]") {
  TestWorld w;
  ScheduledFault loss = lasting_fault("rpc-loss", 0, 100 * kMillisecond, "tm-1", "jm");
  loss.params = {{"messages", "all"}};
  REQUIRE(w.add({loss}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[1], w.jm, 1);     // lost
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, 2);     // other sender
  w.send_at(10 * kMillisecond, w.tms[1], w.store, 3);  // other receiver
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].type == 2);
  CHECK(w.received[1].type == 3);
}

TEST_CASE("rpc faults: rpc-loss with a probability loses some, deterministically per seed", "[unit][faults]") {
  const auto lost_pattern = [](std::uint64_t seed) {
    TestWorld w(2, seed);
    ScheduledFault loss = lasting_fault("rpc-loss", 0, 1 * kSecond);
    loss.params = {{"messages", "ack"}, {"probability", "0.5"}};
    REQUIRE(w.add({loss}).is_ok());
    for (int i = 0; i < 200; ++i) w.send_at(i * kMillisecond, w.tms[0], w.jm, type_of(MessageType::kAcknowledgeCheckpoint));
    w.simulation.run_until_idle();
    std::vector<TimeNs> arrivals;
    for (const ReceivedRpc& r : w.received) arrivals.push_back(r.time_ns);
    return arrivals;
  };
  const std::vector<TimeNs> first = lost_pattern(3);
  CHECK(first.size() > 50);
  CHECK(first.size() < 150);
  CHECK(lost_pattern(3) == first);
  CHECK(lost_pattern(4) != first);
}

TEST_CASE("rpc faults: rpc-delay adds its delay to the matching messages", "[unit][faults]") {
  TestWorld w;
  ScheduledFault delay = lasting_fault("rpc-delay", 0, 100 * kMillisecond);
  delay.params = {{"messages", "checkpoint"}, {"delay", "30ms"}};
  REQUIRE(w.add({delay}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, type_of(MessageType::kAcknowledgeCheckpoint));
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, type_of(MessageType::kHeartbeatResponse));
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].type == type_of(MessageType::kHeartbeatResponse));
  CHECK(w.received[0].time_ns == 11 * kMillisecond);
  CHECK(w.received[1].time_ns == 41 * kMillisecond);
}

TEST_CASE("rpc faults: sink-commit-failure loses commits or their acks by direction", "[unit][faults]") {
  const auto delivered = [](const std::string& direction) {
    TestWorld w;
    ScheduledFault failure = lasting_fault("sink-commit-failure", 0, 100 * kMillisecond);
    failure.params = {{"direction", direction}};
    REQUIRE(w.add({failure}).is_ok());
    w.send_at(10 * kMillisecond, w.tms[0], w.store, type_of(MessageType::kStoreCommit));
    w.send_at(10 * kMillisecond, w.store, w.tms[0], type_of(MessageType::kStoreCommitAck));
    w.send_at(10 * kMillisecond, w.tms[0], w.store, type_of(MessageType::kStorePrepare));
    w.simulation.run_until_idle();
    std::vector<std::uint32_t> types;
    for (const ReceivedRpc& r : w.received) types.push_back(r.type);
    return types;
  };
  const std::uint32_t commit = type_of(MessageType::kStoreCommit);
  const std::uint32_t ack = type_of(MessageType::kStoreCommitAck);
  const std::uint32_t prepare = type_of(MessageType::kStorePrepare);
  CHECK(delivered("both") == std::vector<std::uint32_t>{prepare});
  CHECK(delivered("request") == std::vector<std::uint32_t>{ack, prepare});
  CHECK(delivered("reply") == std::vector<std::uint32_t>{commit, prepare});
}

TEST_CASE("rpc faults: sink-commit-timeout delays commits past the sink's patience", "[unit][faults]") {
  TestWorld w;
  ScheduledFault timeout = lasting_fault("sink-commit-timeout", 0, 100 * kMillisecond);
  timeout.params = {{"delay", "2s"}, {"direction", "request"}};
  REQUIRE(w.add({timeout}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.store, type_of(MessageType::kStoreCommit));
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 1);
  CHECK(w.received[0].time_ns == 2011 * kMillisecond);
}

TEST_CASE("rpc faults: message filters accept names and groups and name a bad word", "[unit][faults]") {
  const Result<MessageFilter> checkpoint = parse_message_filter("checkpoint");
  REQUIRE(checkpoint.is_ok());
  CHECK(checkpoint.value().matches(type_of(MessageType::kTriggerCheckpoint)));
  CHECK(checkpoint.value().matches(type_of(MessageType::kNotifyCheckpointAborted)));
  CHECK_FALSE(checkpoint.value().matches(type_of(MessageType::kHeartbeatRequest)));
  const Result<MessageFilter> mixed = parse_message_filter("heartbeat,store-commit");
  REQUIRE(mixed.is_ok());
  CHECK(mixed.value().matches(type_of(MessageType::kHeartbeatResponse)));
  CHECK(mixed.value().matches(type_of(MessageType::kStoreCommit)));
  CHECK_FALSE(mixed.value().matches(type_of(MessageType::kStoreCommitAck)));
  CHECK(parse_message_filter("all").value().matches(1000));
  const Result<MessageFilter> bad = parse_message_filter("trigger,trigerr");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("\"trigerr\"") != std::string::npos);
  CHECK_FALSE(parse_message_filter("trigger,").is_ok());
}
