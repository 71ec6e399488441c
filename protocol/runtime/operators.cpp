#include "protocol/runtime/operators.h"
#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {

StatelessOperator::StatelessOperator(OperatorKind kind, const OperatorParams& params) : kind_(kind), params_(params) {
  CKPT_ASSERT(kind == OperatorKind::kMap || kind == OperatorKind::kFilter, "stateless operators are map or filter");
}

void StatelessOperator::process(const Record& record, OutputGate& out) {
  if (kind_ == OperatorKind::kMap) {
    Record mapped = record;
    mapped.value = record.value * params_.map_multiplier + params_.map_addend;
    out.emit(mapped);
    return;
  }
  if (params_.filter_modulus > 0 && record.value % params_.filter_modulus == 0) return;
  out.emit(record);
}

KeyedAggregateOperator::KeyedAggregateOperator(std::unique_ptr<KeyedStateBackend> backend)
    : backend_(std::move(backend)) {
  CKPT_ASSERT(backend_ != nullptr, "a keyed operator needs a state backend");
}

void KeyedAggregateOperator::process(const Record& record, OutputGate& out) {
  StateValue state = backend_->get(record.key, 0).value_or(StateValue{});
  state.a += 1;
  state.b = static_cast<std::uint64_t>(static_cast<std::int64_t>(state.b) + record.value);
  backend_->put(record.key, 0, state);
  Record result = record;
  result.agg_count = state.a;
  result.agg_sum = static_cast<std::int64_t>(state.b);
  out.emit(result);
}

void KeyedAggregateOperator::fill_view(OperatorStateView& view) const {
  view.keyed_aggregates.clear();
  backend_->for_each([&view](std::uint64_t key, std::uint32_t, StateValue value) {
    view.keyed_aggregates.push_back(KeyedAggregateEntry{key, value.a, static_cast<std::int64_t>(value.b)});
  });
  // for_each visits by key group then key; the view is ordered by key.
  std::sort(view.keyed_aggregates.begin(), view.keyed_aggregates.end(),
            [](const KeyedAggregateEntry& x, const KeyedAggregateEntry& y) { return x.key < y.key; });
}

SequenceCheckerOperator::SequenceCheckerOperator(std::unique_ptr<KeyedStateBackend> backend)
    : backend_(std::move(backend)) {
  CKPT_ASSERT(backend_ != nullptr, "a keyed operator needs a state backend");
}

void SequenceCheckerOperator::process(const Record& record, OutputGate& out) {
  const std::optional<StateValue> next = backend_->get(record.key, record.partition);
  if (next.has_value() && record.offset < next->a) ++violations_;
  backend_->put(record.key, record.partition, StateValue{record.offset + 1, 0});
  out.emit(record);
}

// Layout: u64 violations, then the keyed backend snapshot as a length-prefixed blob.
Result<Bytes> SequenceCheckerOperator::snapshot() {
  Result<Bytes> keyed = backend_->snapshot();
  if (!keyed.is_ok()) return keyed.status();
  ByteWriter w(keyed.value().size() + 16);
  w.put_u64(violations_);
  w.put_bytes(keyed.value());
  return std::move(w).take();
}

Status SequenceCheckerOperator::restore(const std::vector<Bytes>& snapshots) {
  std::vector<Bytes> keyed;
  std::uint64_t violations = 0;
  for (const Bytes& snapshot : snapshots) {
    ByteReader r(snapshot);
    std::uint64_t count = 0;
    Bytes inner;
    Status s = r.read_u64(count, "sequence violations");
    if (s.is_ok()) s = r.read_bytes(inner);
    if (s.is_ok()) s = r.expect_end("sequence checker snapshot");
    if (!s.is_ok()) return Status::corruption("sequence checker state: " + s.message());
    violations += count;
    keyed.push_back(std::move(inner));
  }
  Status restored = backend_->restore(keyed);
  if (!restored.is_ok()) return restored;
  violations_ = violations;
  return Status::ok();
}

}  // namespace ckptsim
