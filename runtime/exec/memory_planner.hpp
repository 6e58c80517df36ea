#pragma once
// Places tensors with known lifetimes in one arena so that tensors that are
// never alive at the same time share memory.
#include <cstddef>
#include <vector>

namespace onnxrun {

// A buffer needed from step first_use through step last_use, inclusive.
struct UsageRecord {
  int first_use = 0;
  int last_use = 0;
  std::size_t bytes = 0;
};

struct MemoryPlan {
  std::vector<std::size_t> offsets;  // one per record, aligned to kBufferAlignment
  std::size_t arena_bytes = 0;
};

// Greedy by size: the largest buffers are placed first, each at the lowest
// offset where it overlaps no already placed buffer that is alive at the same
// time. Peak usage lands close to the lower bound below on CNN graphs.
MemoryPlan plan_memory(const std::vector<UsageRecord>& records);

// The largest total size of buffers alive at one step: no arena can be smaller.
std::size_t peak_live_bytes(const std::vector<UsageRecord>& records);

}  // namespace onnxrun
