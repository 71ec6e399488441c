// The observation recorder stamps every report with the simulated time and event index,
// interns transactions by name and keeps record batches intact.
#include <catch2/catch.hpp>

#include "oracle/observations.h"

namespace ckptsim::oracle {
namespace {

TEST_CASE("recorder: every report carries the time and event index of its moment", "[unit][oracle]") {
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return index; });
  now = 5;
  index = 7;
  recorder.on_triggered(1, 4);
  now = 9;
  index = 8;
  recorder.on_store_prepared("sink/0/1", 0, 1, {Record{1, 2, 0, 3, 1, 2}, Record{4, 5, 1, 6, 1, 5}});
  recorder.on_store_committed("sink/0/1");
  recorder.on_store_direct_write("sink", 1, {Record{7, 8, 0, 9, 0, 0}});
  recorder.on_fault_phase_ended(3);
  const RunObservations& observations = recorder.observations();
  REQUIRE(observations.events.size() == 5);
  CHECK(observations.events[0].time_ns == 5);
  CHECK(observations.events[0].event_index == 7);
  CHECK(observations.events[0].reported_time_ns == 4);
  CHECK(observations.events[1].event_index == 8);
  CHECK(observations.events[1].transaction == observations.events[2].transaction);
  CHECK(observations.transactions.size() == 1);
  CHECK(observations.batch_records(observations.events[1].batch).size() == 2);
  CHECK(observations.batch_records(observations.events[3].batch)[0].key == 7);
  CHECK(observations.batches[observations.events[3].batch].transaction == kNoIndex);
  CHECK(observations.sink_operator_names.size() == 1);  // "sink", shared by both writes
  CHECK(observations.events[4].reported_time_ns == 3);

  const RunObservations taken = recorder.take();
  CHECK(taken.events.size() == 5);
  CHECK(recorder.observations().events.empty());
}

TEST_CASE("recorder: transaction names split from the right", "[unit][oracle]") {
  const auto parsed = parse_transaction_name("a/b/sink/3/17");
  REQUIRE(parsed.has_value());
  CHECK(parsed->sink_operator == "a/b/sink");
  CHECK(parsed->sink_subtask == 3);
  CHECK(parsed->checkpoint_id == 17);
  CHECK(parse_transaction_name("sink/0/1").has_value());
  CHECK(make_transaction_name("sink", 2, 5) == "sink/2/5");
  CHECK_FALSE(parse_transaction_name("sink/0/0").has_value());
  CHECK_FALSE(parse_transaction_name("sink/01/2").has_value());
  CHECK_FALSE(parse_transaction_name("sink/x/2").has_value());
  CHECK_FALSE(parse_transaction_name("/0/2").has_value());
  CHECK_FALSE(parse_transaction_name("sink-2").has_value());
}

TEST_CASE("recorder: a transaction with another name shape keeps the store's account", "[unit][oracle]") {
  ObservationRecorder recorder([] { return TimeNs{0}; }, [] { return std::uint64_t{0}; });
  recorder.on_store_prepared("weird", 3, 9, {});
  const TransactionInfo& info = recorder.observations().transactions.at(0);
  CHECK_FALSE(info.well_formed);
  CHECK(info.sink_subtask == 3);
  CHECK(info.checkpoint_id == 9);
  CHECK(recorder.observations().sink_operator_names.at(info.sink_operator).empty());
}

}  // namespace
}  // namespace ckptsim::oracle
