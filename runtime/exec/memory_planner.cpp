#include "runtime/exec/memory_planner.hpp"

#include <algorithm>
#include <numeric>

#include "runtime/core/aligned_buffer.hpp"

namespace onnxrun {

namespace {
bool lifetimes_overlap(const UsageRecord& a, const UsageRecord& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}
}  // namespace

MemoryPlan plan_memory(const std::vector<UsageRecord>& records) {
  MemoryPlan plan;
  plan.offsets.assign(records.size(), 0);
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return records[a].bytes > records[b].bytes; });

  struct Placed {
    std::size_t offset, end;
  };
  std::vector<std::size_t> placed;  // indices of records already given an offset
  std::vector<Placed> conflicts;
  for (std::size_t index : order) {
    const UsageRecord& record = records[index];
    const std::size_t size = round_up_to_alignment(record.bytes);
    if (size == 0) continue;
    conflicts.clear();
    for (std::size_t other : placed)
      if (lifetimes_overlap(record, records[other]))
        conflicts.push_back({plan.offsets[other], plan.offsets[other] + round_up_to_alignment(records[other].bytes)});
    std::sort(conflicts.begin(), conflicts.end(), [](const Placed& a, const Placed& b) { return a.offset < b.offset; });

    // Best fit: the smallest gap between conflicting buffers that holds this one.
    std::size_t best_offset = 0, best_gap = SIZE_MAX, cursor = 0;
    bool found = false;
    for (const Placed& busy : conflicts) {
      if (busy.offset >= cursor + size) {
        const std::size_t gap = busy.offset - cursor;
        if (gap < best_gap) {
          best_gap = gap;
          best_offset = cursor;
          found = true;
        }
      }
      cursor = std::max(cursor, busy.end);
    }
    plan.offsets[index] = found ? best_offset : cursor;
    plan.arena_bytes = std::max(plan.arena_bytes, plan.offsets[index] + size);
    placed.push_back(index);
  }
  return plan;
}

std::size_t peak_live_bytes(const std::vector<UsageRecord>& records) {
  int last_step = 0;
  for (const UsageRecord& record : records) last_step = std::max(last_step, record.last_use);
  std::vector<std::size_t> live(static_cast<std::size_t>(last_step) + 2, 0);
  for (const UsageRecord& record : records) {
    if (record.bytes == 0) continue;
    live[record.first_use] += round_up_to_alignment(record.bytes);
    live[record.last_use + 1] -= round_up_to_alignment(record.bytes);
  }
  std::size_t running = 0, peak = 0;
  for (std::size_t value : live) {
    running += value;  // unsigned wrap-around cancels out across the +/- pairs
    peak = std::max(peak, running);
  }
  return peak;
}

}  // namespace onnxrun
