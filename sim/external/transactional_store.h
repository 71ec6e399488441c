// The external transactional store the sinks write to (Kafka-like transactions), run as
// a simulated process. Its data is durable: a crash of the store process loses only
// the requests in flight, never prepared or committed transactions.
//
// Semantics:
//  * prepare(txn, records): stores the records under txn as prepared (invisible).
//    Repeating a prepare of a known txn only re-acknowledges it.
//  * commit(txn): makes a prepared txn's records visible, exactly once. Committing an
//    already committed txn is acknowledged and changes nothing (idempotent commit).
//    Committing an unknown or aborted txn is refused.
//  * abort-lingering(prefix, epoch, keep): aborts every prepared, uncommitted txn whose
//    name starts with prefix, that was prepared in an epoch below `epoch`, and that is
//    not in `keep`.
//  * write(records): at-least-once sinks append visible records directly; a repeated
//    write id is applied again (that is what at-least-once means).
// Every outcome is reported to a StoreObserver (the oracle's recorder) and logged in
// the event log.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/runtime/messages.h"
#include "protocol/runtime/record.h"
#include "sim/simulation.h"

namespace ckptsim::sim {

class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  virtual void on_store_prepared(const std::string& txn, std::uint32_t sink_subtask, CheckpointId id,
                                 const std::vector<Record>& records) = 0;
  virtual void on_store_committed(const std::string& txn) = 0;
  virtual void on_store_commit_repeated(const std::string& txn) = 0;
  virtual void on_store_aborted(const std::string& txn) = 0;
  virtual void on_store_direct_write(const std::string& sink_operator, std::uint32_t sink_subtask,
                                     const std::vector<Record>& records) = 0;
};

struct TransactionalStoreStats {
  std::uint64_t prepared = 0;
  std::uint64_t committed = 0;
  std::uint64_t repeated_commits = 0;
  std::uint64_t aborted = 0;
  std::uint64_t refused_commits = 0;
  std::uint64_t records_visible = 0;
};

class TransactionalStore {
 public:
  TransactionalStore(Simulation& simulation, ProcessId process, StoreObserver* observer);
  // Installs the RPC handler; called at start and at every restart of the process.
  void boot();
  const TransactionalStoreStats& stats() const { return stats_; }

 private:
  enum class TxnState { kPrepared, kCommitted, kAborted };
  struct Transaction {
    TxnState state = TxnState::kPrepared;
    std::uint64_t epoch = 0;
    std::uint32_t sink_subtask = 0;
    CheckpointId checkpoint = kNoCheckpointId;
    std::vector<std::uint8_t> records;
  };

  void on_rpc(ProcessId from, RpcMessage message);
  void prepare(ProcessId from, const StoreRequest& request);
  void commit(ProcessId from, const StoreRequest& request);
  void abort_lingering(ProcessId from, const StoreRequest& request);
  void write(ProcessId from, const StoreRequest& request);
  void reply(ProcessId to, MessageType type, const StoreRequest& request, bool ok, std::string detail);

  Simulation& simulation_;
  ProcessId process_;
  StoreObserver* observer_;
  std::map<std::string, Transaction> transactions_;   // durable
  TransactionalStoreStats stats_;
  RecordKind kind_prepare_, kind_commit_, kind_abort_, kind_write_;
};

std::vector<Record> decode_records(const std::vector<std::uint8_t>& bytes);

}  // namespace ckptsim::sim
