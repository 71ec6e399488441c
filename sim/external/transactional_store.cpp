#include "sim/external/transactional_store.h"

#include <string_view>

namespace ckptsim::sim {

std::vector<Record> decode_records(const std::vector<std::uint8_t>& bytes) {
  std::vector<Record> records;
  const std::size_t count = record_codec::count(bytes);
  records.reserve(count);
  for (std::size_t i = 0; i < count; ++i) records.push_back(record_codec::read(bytes.data() + i * kRecordBytes));
  return records;
}

TransactionalStore::TransactionalStore(Simulation& simulation, ProcessId process, StoreObserver* observer)
    : simulation_(simulation),
      process_(process),
      observer_(observer),
      kind_prepare_(simulation.log().register_kind("store_prepare")),
      kind_commit_(simulation.log().register_kind("store_commit")),
      kind_abort_(simulation.log().register_kind("store_abort")),
      kind_write_(simulation.log().register_kind("store_write")) {}

void TransactionalStore::boot() {
  simulation_.set_rpc_handler(process_, [this](ProcessId from, RpcMessage message) { on_rpc(from, std::move(message)); });
}

void TransactionalStore::on_rpc(ProcessId from, RpcMessage message) {
  const auto type = static_cast<MessageType>(message.type);
  Result<StoreRequest> request = decode_store_request(message);
  if (!request.is_ok()) return;  // garbage is dropped, as a real server would
  switch (type) {
    case MessageType::kStorePrepare: prepare(from, request.value()); return;
    case MessageType::kStoreCommit: commit(from, request.value()); return;
    case MessageType::kStoreAbortLingering: abort_lingering(from, request.value()); return;
    case MessageType::kStoreWrite: write(from, request.value()); return;
    default: return;
  }
}

void TransactionalStore::reply(ProcessId to, MessageType type, const StoreRequest& request, bool ok, std::string detail) {
  StoreReply r{request.task, request.transaction, request.request_id, ok, std::move(detail)};
  (void)simulation_.send_rpc(process_, to, encode(type, r));
}

void TransactionalStore::prepare(ProcessId from, const StoreRequest& request) {
  auto [it, inserted] = transactions_.try_emplace(request.transaction);
  if (inserted) {
    Transaction& txn = it->second;
    txn.epoch = request.request_id;
    txn.sink_subtask = request.sink_subtask;
    txn.checkpoint = request.checkpoint;
    txn.records = request.records;
    ++stats_.prepared;
    simulation_.record(kind_prepare_, process_, static_cast<std::uint64_t>(request.checkpoint), txn.records.size());
    if (observer_ != nullptr) {
      observer_->on_store_prepared(request.transaction, request.sink_subtask, request.checkpoint, decode_records(txn.records));
    }
  }
  reply(from, MessageType::kStorePrepareAck, request, it->second.state != TxnState::kAborted, "");
}

void TransactionalStore::commit(ProcessId from, const StoreRequest& request) {
  auto it = transactions_.find(request.transaction);
  if (it == transactions_.end() || it->second.state == TxnState::kAborted) {
    ++stats_.refused_commits;
    reply(from, MessageType::kStoreCommitAck, request, false, "unknown or aborted transaction");
    return;
  }
  Transaction& txn = it->second;
  if (txn.state == TxnState::kCommitted) {
    ++stats_.repeated_commits;
    if (observer_ != nullptr) observer_->on_store_commit_repeated(request.transaction);
  } else {
    txn.state = TxnState::kCommitted;
    ++stats_.committed;
    stats_.records_visible += record_codec::count(txn.records);
    simulation_.record(kind_commit_, process_, static_cast<std::uint64_t>(txn.checkpoint), txn.records.size());
    if (observer_ != nullptr) observer_->on_store_committed(request.transaction);
    txn.records = {};  // visible data now lives with the observer; keep the store small
  }
  reply(from, MessageType::kStoreCommitAck, request, true, "");
}

void TransactionalStore::abort_lingering(ProcessId from, const StoreRequest& request) {
  const std::string& prefix = request.transaction;
  for (auto it = transactions_.lower_bound(prefix); it != transactions_.end(); ++it) {
    if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    Transaction& txn = it->second;
    if (txn.state != TxnState::kPrepared || txn.epoch >= request.request_id) continue;
    bool keep = false;
    for (const std::string& name : request.keep) keep = keep || name == it->first;
    if (keep) continue;
    txn.state = TxnState::kAborted;
    txn.records = {};
    ++stats_.aborted;
    simulation_.record(kind_abort_, process_, static_cast<std::uint64_t>(txn.checkpoint), 0);
    if (observer_ != nullptr) observer_->on_store_aborted(it->first);
  }
  reply(from, MessageType::kStoreAbortLingeringAck, request, true, "");
}

void TransactionalStore::write(ProcessId from, const StoreRequest& request) {
  const std::vector<Record> records = decode_records(request.records);
  stats_.records_visible += records.size();
  simulation_.record(kind_write_, process_, request.request_id, records.size());
  if (observer_ != nullptr) observer_->on_store_direct_write(request.transaction, request.sink_subtask, records);
  reply(from, MessageType::kStoreWriteAck, request, true, "");
}

}  // namespace ckptsim::sim
