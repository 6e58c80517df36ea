#include "runtime/api/output_buffers.hpp"

#include "runtime/core/aligned_buffer.hpp"

namespace onnxrun {

std::shared_ptr<void> OutputBuffers::acquire(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Entry& entry : entries_)
    // use_count 1: only this cache holds it, and no one else can copy it
    // while the lock is held. Not much larger, so that memory is not wasted.
    if (entry.buffer.use_count() == 1 && entry.bytes >= bytes && entry.bytes <= 2 * bytes + 4096)
      return entry.buffer;
  std::shared_ptr<void> buffer = allocate_aligned_shared(bytes);
  // Full: forget the oldest entry the caller no longer holds, else the oldest.
  if (entries_.size() == kMaxEntries) {
    auto victim = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->buffer.use_count() == 1) {
        victim = it;
        break;
      }
    entries_.erase(victim);
  }
  entries_.push_back(Entry{bytes, buffer});
  return buffer;
}

}  // namespace onnxrun
