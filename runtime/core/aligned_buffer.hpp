#pragma once
// 64-byte aligned heap memory: one cache line, and wide enough for any SIMD load.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace onnxrun {

inline constexpr std::size_t kBufferAlignment = 64;

inline std::size_t round_up_to_alignment(std::size_t bytes) {
  return (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
}

struct AlignedFree {
  void operator()(void* pointer) const { std::free(pointer); }
};
using AlignedBuffer = std::unique_ptr<void, AlignedFree>;

inline AlignedBuffer allocate_aligned(std::size_t bytes) {
  // aligned_alloc wants a multiple of the alignment; never ask for 0 bytes.
  void* pointer = std::aligned_alloc(kBufferAlignment, round_up_to_alignment(bytes == 0 ? 1 : bytes));
  if (!pointer) throw std::bad_alloc();
  return AlignedBuffer(pointer);
}

inline std::shared_ptr<void> allocate_aligned_shared(std::size_t bytes) {
  return std::shared_ptr<void>(allocate_aligned(bytes).release(), AlignedFree{});
}

}  // namespace onnxrun
