#pragma once
// How a Winograd layer's tiles are dealt to threads and cut into blocks, for
// both the NCHW algorithm (conv_winograd.cpp) and the NCHW8c one
// (conv_winograd_nchwc.cpp). Tiles go in chunks; each thread (a "slot", with
// its own scratch) takes a contiguous share of chunks, since neighbouring
// tiles share input rows, and runs it in blocks of up to block_chunks chunks:
// input transform, GEMMs, output transform. A layer with fewer chunks than
// threads (the small late layers of a network at batch 1), or one asked to
// run as a single block, runs all its tiles as one block with each phase
// split over the threads instead ("phased").
#include <algorithm>
#include <cstdint>
#include <string>

#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

struct WinogradSchedule {
  std::int64_t chunk = 1, chunks = 0, slots = 1, block_chunks = 1;
  int threads = 1;
  bool phased = false;

  // wanted_block_chunks: the block size the layer's cache budget allows;
  // one_block: every tile in one block (phased on more than one thread).
  static WinogradSchedule make(std::int64_t total_tiles, std::int64_t chunk, std::int64_t wanted_block_chunks,
                               int threads, bool one_block) {
    WinogradSchedule s;
    s.chunk = chunk;
    s.threads = std::max(1, threads);
    s.chunks = (total_tiles + chunk - 1) / chunk;
    s.phased = s.threads > 1 && (s.chunks < s.threads || one_block);
    s.slots = s.phased ? 1 : std::max<std::int64_t>(1, std::min<std::int64_t>(s.threads, s.chunks));
    // No larger than a slot's share, which would only grow the workspace.
    const std::int64_t share = (s.chunks + s.slots - 1) / s.slots;
    s.block_chunks = s.phased || one_block ? s.chunks : std::min(wanted_block_chunks, share);
    return s;
  }

  std::int64_t block_tiles() const { return block_chunks * chunk; }

  // run_slot(slot) for every slot, or run_phased(pool) when phased. One
  // body per slot: the pool never runs more bodies at once than it has
  // threads, and slots <= threads.
  template <class SlotBody, class PhasedBody>
  void run(ThreadPool* pool, const SlotBody& run_slot, const PhasedBody& run_phased) const {
    const auto body = [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t slot = begin; slot < end; ++slot) run_slot(slot);
    };
    if (phased && pool)
      run_phased(*pool);
    else
      parallel_for_or_inline(slots > 1 ? pool : nullptr, slots, body);
  }

  // block(tile_begin, count) for each block of the slot's share.
  template <class BlockBody>
  void for_each_block(std::int64_t slot, std::int64_t total_tiles, const BlockBody& block) const {
    const std::int64_t chunk_end = chunks * (slot + 1) / slots;
    for (std::int64_t c = chunks * slot / slots; c < chunk_end; c += block_chunks) {
      const std::int64_t tile_begin = c * chunk;
      block(tile_begin, std::min(std::min(c + block_chunks, chunk_end) * chunk, total_tiles) - tile_begin);
    }
  }
};

inline std::string winograd_algorithm_name(const char* prefix, std::int64_t m) {
  const std::string size = std::to_string(m);
  return prefix + size + "x" + size;
}

}  // namespace onnxrun
