#pragma once
// 64-byte aligned heap memory: one cache line, and wide enough for any SIMD load.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

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

// Whole 2 MiB pages inside a buffer of at least that size are offered to the
// kernel for transparent huge pages (where THP is "madvise", Debian's
// default, only such regions get them); the tail stays in 4 KiB pages, so
// no more memory is touched than the buffer's own.
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

inline AlignedBuffer allocate_large(std::size_t bytes) {
  if (bytes < kHugePageBytes) return allocate_aligned(bytes);
  // posix_memalign: aligned_alloc may insist on a size that is a multiple
  // of the alignment, which would touch up to 2 MiB more.
  void* pointer = nullptr;
  if (posix_memalign(&pointer, kHugePageBytes, bytes) != 0) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  madvise(pointer, bytes / kHugePageBytes * kHugePageBytes, MADV_HUGEPAGE);  // advice: may be ignored
#endif
  return AlignedBuffer(pointer);
}

// For packed weights, which the kernels stream from L3 or memory once per
// run: in 4 KiB pages a layer's 16.7 MB takes 4096 TLB entries. Run
// medians at 1 thread, 4 alternating runs: ResNet-50 52.8 -> 51.2 ms,
// ResNet-18 18.8 -> 18.6, peak RSS unchanged (306 MB). The run's arena
// takes allocate_large too (Plan::acquire_state): on that machine no
// faster, on an AVX-512 Xeon with 2 MiB of L2 ResNet-50 1.0-1.8% faster
// (per-layer medians, two alternating series of 5 rounds), its 56x56 1x1
// layers, whose input rows are 12.5 KB apart (a page per k step), 2-3.5%.
template <class T>
struct LargeBufferAllocator {
  using value_type = T;
  LargeBufferAllocator() = default;
  template <class U>
  LargeBufferAllocator(const LargeBufferAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T)).release()); }
  void deallocate(T* pointer, std::size_t) { std::free(pointer); }
  template <class U>
  bool operator==(const LargeBufferAllocator<U>&) const { return true; }
};

template <class T>
using LargeVector = std::vector<T, LargeBufferAllocator<T>>;

}  // namespace onnxrun
