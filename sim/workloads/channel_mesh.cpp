#include <memory>
#include <string>
#include <vector>

#include "sim/workloads/ping_pong.h"

namespace ckptsim::sim::workloads {
namespace {

// Producers push as fast as credit allows; consumers take one buffer per
// `consume_cost_ns`, round-robin over their input channels.
struct Mesh {
  Simulation* simulation = nullptr;
  ChannelMeshOptions options;
  std::vector<ProcessId> producers;
  std::vector<ProcessId> consumers;
  std::vector<std::vector<ChannelId>> inputs_of_consumer;  // current channels
  std::vector<bool> consumer_busy;
  std::vector<std::uint32_t> next_input;
  std::uint64_t sequence = 0;
  ChannelMeshResult result;
};

void consume_next(const std::shared_ptr<Mesh>& mesh, std::uint32_t consumer);

void pump(const std::shared_ptr<Mesh>& mesh, ChannelId channel) {
  Simulation& sim = *mesh->simulation;
  if (sim.now_ns() >= mesh->options.run_for_ns) return;
  ChannelNetwork& net = sim.channels();
  while (net.is_open(channel)) {
    NetworkBuffer buffer{0, mesh->sequence, std::vector<std::uint8_t>(mesh->options.buffer_bytes, 0x5A)};
    const Status sent = net.writer(channel).try_send(std::move(buffer));
    if (sent.code() == StatusCode::kBackpressured) {
      ++mesh->result.backpressure_stalls;
      return;
    }
    if (!sent.is_ok()) return;
    ++mesh->sequence;
    ++mesh->result.buffers_sent;
  }
}

void maybe_start_consuming(const std::shared_ptr<Mesh>& mesh, std::uint32_t consumer) {
  if (mesh->consumer_busy[consumer]) return;
  mesh->consumer_busy[consumer] = true;
  mesh->simulation->schedule_after(mesh->consumers[consumer], mesh->options.consume_cost_ns,
                                   [mesh, consumer] { consume_next(mesh, consumer); });
}

void consume_next(const std::shared_ptr<Mesh>& mesh, std::uint32_t consumer) {
  ChannelNetwork& net = mesh->simulation->channels();
  mesh->consumer_busy[consumer] = false;
  const auto& inputs = mesh->inputs_of_consumer[consumer];
  for (std::size_t tried = 0; tried < inputs.size(); ++tried) {
    const std::uint32_t index = mesh->next_input[consumer]++ % static_cast<std::uint32_t>(inputs.size());
    const ChannelId channel = inputs[index];
    if (net.is_open(channel) && net.reader(channel).has_buffer()) {
      (void)net.reader(channel).take();
      ++mesh->result.buffers_consumed;
      maybe_start_consuming(mesh, consumer);
      return;
    }
  }
}

void connect_consumer(const std::shared_ptr<Mesh>& mesh, std::uint32_t consumer) {
  Simulation& sim = *mesh->simulation;
  ChannelNetwork& net = sim.channels();
  mesh->inputs_of_consumer[consumer].clear();
  mesh->consumer_busy[consumer] = false;
  for (const ProcessId producer : mesh->producers) {
    const ChannelId channel = net.open(producer, mesh->consumers[consumer], ChannelConfig{});
    mesh->inputs_of_consumer[consumer].push_back(channel);
    net.set_on_readable(channel, [mesh, consumer] { maybe_start_consuming(mesh, consumer); });
    net.set_on_writable(channel, [mesh, channel] { pump(mesh, channel); });
    net.set_on_failed(channel, true, [mesh](Status) { ++mesh->result.channel_failures_seen; });
    pump(mesh, channel);
  }
}

}  // namespace

ChannelMeshResult run_channel_mesh(Simulation& simulation, const ChannelMeshOptions& options) {
  CKPT_ASSERT(simulation.process_count() == 0, "channel mesh builds its own processes");
  CKPT_ASSERT(options.producers > 0 && options.consumers > 0, "mesh needs producers and consumers");
  auto mesh = std::make_shared<Mesh>();
  mesh->simulation = &simulation;
  mesh->options = options;
  for (std::uint32_t i = 0; i < options.producers; ++i) mesh->producers.push_back(simulation.add_process("producer-" + std::to_string(i)));
  for (std::uint32_t i = 0; i < options.consumers; ++i) mesh->consumers.push_back(simulation.add_process("consumer-" + std::to_string(i)));
  mesh->inputs_of_consumer.resize(options.consumers);
  mesh->consumer_busy.assign(options.consumers, false);
  mesh->next_input.assign(options.consumers, 0);
  for (std::uint32_t c = 0; c < options.consumers; ++c) {
    simulation.set_boot(mesh->consumers[c], [mesh, c] { connect_consumer(mesh, c); });
    connect_consumer(mesh, c);
  }
  if (options.crash_consumer_at_ns >= 0) {
    const ProcessId victim = mesh->consumers[0];
    simulation.schedule_global_after(options.crash_consumer_at_ns, [&simulation, victim, options] {
      simulation.crash(victim);
      simulation.schedule_global_after(options.restart_after_ns, [&simulation, victim] { simulation.restart(victim); });
    });
  }
  simulation.run_until(options.run_for_ns);
  // Drain what is still queued so no callback outlives this call's purpose.
  simulation.run_until_idle(10'000'000);
  return mesh->result;
}

}  // namespace ckptsim::sim::workloads
