#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>

#include "protocol/runtime/messages.h"
#include "protocol/runtime/output_gate.h"
#include "protocol/runtime/restart_strategy.h"
#include "protocol/runtime/sinks.h"

using namespace ckptsim;

// ------------------------------------------------------------------ restart strategies

TEST_CASE("restart strategy: fixed-delay restarts after the delay until attempts run out", "[unit][restart]") {
  RestartStrategySpec spec;
  spec.kind = RestartStrategyKind::kFixedDelay;
  spec.fixed_delay_attempts = 2;
  spec.fixed_delay_ns = 300 * kMillisecond;
  RestartStrategy strategy(spec);
  CHECK(strategy.on_failure(0) == 300 * kMillisecond);
  CHECK(strategy.on_failure(kSecond) == 300 * kMillisecond);
  CHECK_FALSE(strategy.on_failure(2 * kSecond).has_value());
  CHECK(strategy.restarts() == 2);
}

TEST_CASE("restart strategy: exponential-delay doubles the backoff up to its maximum", "[unit][restart]") {
  RestartStrategySpec spec;
  spec.kind = RestartStrategyKind::kExponentialDelay;
  spec.exponential_initial_backoff_ns = 100 * kMillisecond;
  spec.exponential_max_backoff_ns = 350 * kMillisecond;
  spec.exponential_backoff_multiplier = 2.0;
  spec.exponential_attempts = 10;
  RestartStrategy strategy(spec);
  CHECK(strategy.on_failure(0) == 100 * kMillisecond);
  CHECK(strategy.on_failure(0) == 200 * kMillisecond);
  CHECK(strategy.on_failure(0) == 350 * kMillisecond);
  CHECK(strategy.on_failure(0) == 350 * kMillisecond);
}

TEST_CASE("restart strategy: failure-rate gives up when too many failures fall in the interval", "[unit][restart]") {
  RestartStrategySpec spec;
  spec.kind = RestartStrategyKind::kFailureRate;
  spec.failure_rate_max_failures = 2;
  spec.failure_rate_interval_ns = kMinute;
  spec.failure_rate_delay_ns = kSecond;
  RestartStrategy strategy(spec);
  CHECK(strategy.on_failure(0) == kSecond);
  CHECK(strategy.on_failure(10 * kSecond) == kSecond);
  CHECK_FALSE(strategy.on_failure(20 * kSecond).has_value());
  RestartStrategy spaced(spec);
  CHECK(spaced.on_failure(0).has_value());
  CHECK(spaced.on_failure(40 * kSecond).has_value());
  CHECK(spaced.on_failure(70 * kSecond).has_value());  // the first one left the window
}

TEST_CASE("restart strategy: none never restarts", "[unit][restart]") {
  RestartStrategySpec spec;
  spec.kind = RestartStrategyKind::kNone;
  RestartStrategy strategy(spec);
  CHECK_FALSE(strategy.on_failure(0).has_value());
}

// ------------------------------------------------------------------ messages

TEST_CASE("messages: every message survives encode then decode", "[unit][messages]") {
  DeployTask deploy;
  deploy.epoch = 7;
  deploy.task = TaskRef{3, 7};
  deploy.restore_checkpoint = 12;
  deploy.restore_state = SubtaskStateHandle{{"job/chk-12/count-0-a6"}, 2048, 99};
  deploy.placement = {2, 3, 2, 3};
  const Result<DeployTask> d = decode_deploy_task(encode(MessageType::kDeployTask, deploy));
  REQUIRE(d.is_ok());
  CHECK(d.value().task == deploy.task);
  CHECK(d.value().restore_state == deploy.restore_state);
  CHECK(d.value().placement == deploy.placement);

  AcknowledgeCheckpoint ack{TaskRef{1, 2}, 5, SubtaskStateHandle{{"a", "b"}, 10, 11}, SubtaskCheckpointMetrics{1, 2, 3, 4, 5}};
  const Result<AcknowledgeCheckpoint> a = decode_acknowledge(encode(MessageType::kAcknowledgeCheckpoint, ack));
  REQUIRE(a.is_ok());
  CHECK(a.value().state == ack.state);
  CHECK(a.value().metrics == ack.metrics);

  StoreRequest request;
  request.task = TaskRef{4, 1};
  request.transaction = "sink/0/9";
  request.checkpoint = 9;
  request.keep = {"sink/0/8"};
  request.records = {1, 2, 3};
  const Result<StoreRequest> r = decode_store_request(encode(MessageType::kStorePrepare, request));
  REQUIRE(r.is_ok());
  CHECK(r.value().transaction == request.transaction);
  CHECK(r.value().keep == request.keep);
  CHECK(r.value().records == request.records);
}

TEST_CASE("messages: a truncated or padded body is rejected as corruption", "[property][messages]") {
  rc::prop("no garbage decodes", [](std::uint32_t subtask, std::int64_t id, std::uint8_t cut) {
    RpcMessage message = encode(MessageType::kTriggerCheckpoint, CheckpointMessage{TaskRef{subtask, 1}, id, 5});
    const std::size_t full = message.body.size();
    message.body.resize(cut % full);
    RC_ASSERT(decode_checkpoint_message(message).status().code() == StatusCode::kCorruption);
    message.body.resize(full + 1 + cut % 3, 0);
    RC_ASSERT_FALSE(decode_checkpoint_message(message).is_ok());
  });
}

// ------------------------------------------------------------------ output gate

namespace {

// A data plane whose channels accept a fixed number of buffers and record them.
class RecordingDataPlane final : public DataPlane {
 public:
  struct Channel final : ChannelWriter, ChannelReader {
    std::vector<NetworkBuffer> sent;
    std::uint32_t credits = 1000;
    Status try_send(NetworkBuffer buffer) override {
      if (credits == 0) return Status::backpressured("no credit");
      --credits;
      sent.push_back(std::move(buffer));
      return Status::ok();
    }
    Status send_priority(NetworkBuffer buffer) override { sent.push_back(std::move(buffer)); return Status::ok(); }
    bool has_credit() const override { return credits > 0; }
    bool has_buffer() const override { return false; }
    NetworkBuffer take() override { return {}; }
  };
  Result<ChannelId> connect(std::uint64_t, std::uint32_t logical, ProcessId, ProcessId) override { return logical; }
  ChannelWriter& writer(ChannelId id) override { return channels[id]; }
  ChannelReader& reader(ChannelId id) override { return channels[id]; }
  void set_on_readable(ChannelId, std::function<void()>) override {}
  void set_on_writable(ChannelId, std::function<void()>) override {}
  void set_on_failed(ChannelId, bool, std::function<void(Status)>) override {}
  void detach(ChannelId, bool) override {}
  std::map<ChannelId, Channel> channels;
};

std::vector<Record> records_on(const RecordingDataPlane::Channel& channel) {
  std::vector<Record> records;
  for (const NetworkBuffer& b : channel.sent) {
    if (b.kind != to_kind(ChannelEvent::kRecords)) continue;
    for (std::size_t i = 0; i < record_codec::count(b.bytes); ++i) records.push_back(record_codec::read(b.bytes.data() + i * kRecordBytes));
  }
  return records;
}

}  // namespace

TEST_CASE("output gate: a barrier follows every record emitted before it, on every channel", "[unit][output]") {
  RecordingDataPlane plane;
  OutputGate gate(plane, {OutputPartitionSpec{Partitioning::kBroadcast, 2, 128, {0, 1}}}, 4096, 0);
  gate.emit(Record{1, 10, 0, 0, 0, 0});
  gate.broadcast_event(ChannelEvent::kBarrier, 5);
  gate.emit(Record{2, 20, 0, 1, 0, 0});
  gate.flush_all();
  for (ChannelId id : {0u, 1u}) {
    const auto& sent = plane.channels[id].sent;
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].kind == to_kind(ChannelEvent::kRecords));
    CHECK(sent[1].kind == to_kind(ChannelEvent::kBarrier));
    CHECK(sent[1].tag == 5);
    CHECK(record_codec::read(sent[2].bytes.data()).key == 2);
  }
}

TEST_CASE("output gate: a full buffer without credit backpressures and is sent when credit returns", "[unit][output]") {
  RecordingDataPlane plane;
  plane.channels[0].credits = 0;
  OutputGate gate(plane, {OutputPartitionSpec{Partitioning::kForward, 1, 128, {0}}}, 2 * kRecordBytes, 0);
  for (std::uint64_t i = 0; i < 2; ++i) gate.emit(Record{i, 0, 0, i, 0, 0});
  CHECK(gate.backpressured());
  CHECK(plane.channels[0].sent.empty());
  plane.channels[0].credits = 1;
  gate.on_writable(0);
  CHECK_FALSE(gate.backpressured());
  CHECK(records_on(plane.channels[0]).size() == 2);
}

TEST_CASE("output gate: hash partitioning sends each key to one consumer, rebalance spreads round-robin", "[property][output]") {
  rc::prop("routing", [](const std::vector<std::uint64_t>& keys) {
    RecordingDataPlane plane;
    OutputGate gate(plane,
                    {OutputPartitionSpec{Partitioning::kHashByKey, 3, 128, {0, 1, 2}},
                     OutputPartitionSpec{Partitioning::kRebalance, 2, 128, {10, 11}}},
                    1024, 0);
    for (std::size_t i = 0; i < keys.size(); ++i) gate.emit(Record{keys[i], 0, 0, i, 0, 0});
    gate.flush_all();
    std::map<std::uint64_t, ChannelId> owner;
    std::size_t hashed = 0;
    for (ChannelId id : {0u, 1u, 2u}) {
      for (const Record& r : records_on(plane.channels[id])) {
        ++hashed;
        auto [it, inserted] = owner.emplace(r.key, id);
        RC_ASSERT(it->second == id);
      }
    }
    RC_ASSERT(hashed == keys.size());
    const std::size_t left = records_on(plane.channels[10]).size();
    const std::size_t right = records_on(plane.channels[11]).size();
    RC_ASSERT(left + right == keys.size());
    RC_ASSERT(left - right <= 1);
  });
}

// ------------------------------------------------------------------ two-phase commit sink

namespace {

class FakeClock final : public Clock {
 public:
  TimeNs now_ns() const override { return now; }
  TimeNs now = 0;
};

class RecordingRpc final : public RpcTransport {
 public:
  Status send(ProcessId, RpcMessage message) override {
    messages.push_back(std::move(message));
    return Status::ok();
  }
  std::vector<RpcMessage> messages;
  std::vector<std::string> of_type(MessageType type) const {
    std::vector<std::string> names;
    for (const RpcMessage& m : messages) {
      if (m.type == static_cast<std::uint32_t>(type)) names.push_back(decode_store_request(m).value().transaction);
    }
    return names;
  }
};

}  // namespace

TEST_CASE("2pc sink: pre-commit at the barrier, commit only on notify, in checkpoint order", "[unit][sink]") {
  FakeClock clock;
  RecordingRpc rpc;
  TwoPhaseCommitSink sink(SinkContext{rpc, clock, 9, TaskRef{5, 1}, 1, "sink", 0, nullptr});
  sink.write(Record{1, 1, 0, 0, 0, 0});
  REQUIRE(sink.snapshot(1).is_ok());
  sink.write(Record{2, 1, 0, 1, 0, 0});
  REQUIRE(sink.snapshot(2).is_ok());
  CHECK(rpc.of_type(MessageType::kStorePrepare) == std::vector<std::string>{"sink/0/1", "sink/0/2"});
  CHECK(rpc.of_type(MessageType::kStoreCommit).empty());
  CHECK_FALSE(sink.checkpoint_ready(1));
  sink.on_store_reply(MessageType::kStorePrepareAck, StoreReply{TaskRef{5, 1}, "sink/0/1", 0, true, ""});
  sink.on_store_reply(MessageType::kStorePrepareAck, StoreReply{TaskRef{5, 1}, "sink/0/2", 0, true, ""});
  CHECK(sink.checkpoint_ready(1));
  sink.notify_checkpoint_complete(2);  // subsumes 1: both commit, one after the other
  CHECK(rpc.of_type(MessageType::kStoreCommit) == std::vector<std::string>{"sink/0/1"});
  sink.on_store_reply(MessageType::kStoreCommitAck, StoreReply{TaskRef{5, 1}, "sink/0/1", 0, true, ""});
  CHECK(rpc.of_type(MessageType::kStoreCommit) == std::vector<std::string>{"sink/0/1", "sink/0/2"});
  sink.on_store_reply(MessageType::kStoreCommitAck, StoreReply{TaskRef{5, 1}, "sink/0/2", 0, true, ""});
  CHECK(sink.finished_ready());
}

TEST_CASE("2pc sink: restore recovers-and-commits the pending transactions and aborts lingering ones", "[unit][sink]") {
  FakeClock clock;
  RecordingRpc first_rpc;
  TwoPhaseCommitSink first(SinkContext{first_rpc, clock, 9, TaskRef{5, 1}, 1, "sink", 0, nullptr});
  first.write(Record{1, 1, 0, 0, 0, 0});
  const Result<Bytes> state = first.snapshot(4);
  REQUIRE(state.is_ok());

  RecordingRpc rpc;
  TwoPhaseCommitSink restored(SinkContext{rpc, clock, 9, TaskRef{5, 2}, 2, "sink", 0, nullptr});
  REQUIRE(restored.restore(4, {state.value()}).is_ok());
  CHECK(rpc.of_type(MessageType::kStoreCommit) == std::vector<std::string>{"sink/0/4"});
  REQUIRE(rpc.of_type(MessageType::kStoreAbortLingering).size() == 1);
  const StoreRequest abort = decode_store_request(rpc.messages[0]).value();
  CHECK(abort.transaction == "sink/0/");
  CHECK(abort.keep == std::vector<std::string>{"sink/0/4"});
  CHECK(abort.request_id == 2);  // abort only what earlier epochs prepared
  Bytes corrupt = state.value();
  corrupt.pop_back();
  RecordingRpc other;
  TwoPhaseCommitSink broken(SinkContext{other, clock, 9, TaskRef{5, 3}, 3, "sink", 0, nullptr});
  CHECK(broken.restore(4, {corrupt}).code() == StatusCode::kCorruption);
}

TEST_CASE("2pc sink: unacknowledged requests are retried and give up after the bound", "[unit][sink]") {
  FakeClock clock;
  RecordingRpc rpc;
  TwoPhaseCommitSink sink(SinkContext{rpc, clock, 9, TaskRef{5, 1}, 1, "sink", 0, nullptr});
  REQUIRE(sink.snapshot(1).is_ok());
  for (std::uint32_t i = 1; i < SinkWriter::kMaxAttempts; ++i) {
    clock.now += SinkWriter::kRetryAfterNs;
    REQUIRE(sink.retry_overdue().is_ok());
  }
  CHECK(rpc.of_type(MessageType::kStorePrepare).size() == SinkWriter::kMaxAttempts);
  clock.now += SinkWriter::kRetryAfterNs;
  CHECK(sink.retry_overdue().code() == StatusCode::kUnavailable);
}

TEST_CASE("2pc sink: a later checkpoint is not ready while an earlier prepare is still unacknowledged",
          "[unit][sink]") {
  // Swarm finding 1: with concurrent checkpoints the prepare of checkpoint 1 is lost and
  // retried while checkpoint 2's prepare is confirmed. Acknowledging 2 would let its
  // completion commit 1 (subsuming contract) before the store has it.
  FakeClock clock;
  RecordingRpc rpc;
  TwoPhaseCommitSink sink(SinkContext{rpc, clock, 9, TaskRef{5, 1}, 1, "sink", 0, nullptr});
  sink.write(Record{1, 1, 0, 0, 0, 0});
  REQUIRE(sink.snapshot(1).is_ok());
  sink.write(Record{2, 1, 0, 1, 0, 0});
  REQUIRE(sink.snapshot(2).is_ok());
  sink.on_store_reply(MessageType::kStorePrepareAck, StoreReply{TaskRef{5, 1}, "sink/0/2", 0, true, ""});
  CHECK_FALSE(sink.checkpoint_ready(2));
  CHECK_FALSE(sink.checkpoint_ready(1));
  clock.now += SinkWriter::kRetryAfterNs;
  REQUIRE(sink.retry_overdue().is_ok());
  CHECK(rpc.of_type(MessageType::kStorePrepare) == std::vector<std::string>{"sink/0/1", "sink/0/2", "sink/0/1"});
  sink.on_store_reply(MessageType::kStorePrepareAck, StoreReply{TaskRef{5, 1}, "sink/0/1", 0, true, ""});
  CHECK(sink.checkpoint_ready(1));
  CHECK(sink.checkpoint_ready(2));
  sink.notify_checkpoint_complete(2);
  CHECK(rpc.of_type(MessageType::kStoreCommit) == std::vector<std::string>{"sink/0/1"});
}

TEST_CASE("messages: a heartbeat response carries the state of every task, and a bad state is corruption",
          "[unit][messages]") {
  Heartbeat beat;
  beat.sequence = 4;
  beat.epoch = 2;
  beat.instance = 77;
  beat.tasks = {TaskReport{TaskRef{0, 2}, 2, TaskReportState::kFailed, false},
                TaskReport{TaskRef{3, 2}, 2, TaskReportState::kFinished, true}};
  RpcMessage message = encode(MessageType::kHeartbeatResponse, beat);
  const Result<Heartbeat> decoded = decode_heartbeat(message);
  REQUIRE(decoded.is_ok());
  REQUIRE(decoded.value().tasks.size() == 2);
  CHECK(decoded.value().tasks[0].task == TaskRef{0, 2});
  CHECK(decoded.value().tasks[0].state == TaskReportState::kFailed);
  CHECK_FALSE(decoded.value().tasks[0].source_exhausted);
  CHECK(decoded.value().tasks[1].state == TaskReportState::kFinished);
  CHECK(decoded.value().tasks[1].source_exhausted);
  // The state byte of the first report: sequence, epoch, instance (8 each), count (4),
  // task (8), epoch (8).
  constexpr std::size_t kStateOffset = 8 + 8 + 8 + 4 + 8 + 8;
  REQUIRE(message.body.size() > kStateOffset);
  message.body[kStateOffset] = 9;
  CHECK(decode_heartbeat(message).status().code() == StatusCode::kCorruption);
  const Result<Heartbeat> plain = decode_heartbeat(encode(MessageType::kHeartbeatRequest, Heartbeat{}));
  REQUIRE(plain.is_ok());
  CHECK(plain.value().tasks.empty());
}
