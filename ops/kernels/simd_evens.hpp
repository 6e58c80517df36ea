#pragma once
// The even elements of two consecutive vectors as one vector: a stride-2 read
// of a row (pooling windows, im2col columns) without a gather.
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

namespace onnxrun::kernels {
// In an unnamed namespace, as simd_partial.hpp says why: each ISA's file
// keeps its own copy.
namespace {

// Lane permutations that gather the even elements of a vector into its low
// half (first operand) or high half (second operand).
struct EvensLow {
  static constexpr std::uint32_t get(std::size_t i, std::size_t n) {
    return static_cast<std::uint32_t>(i < n / 2 ? 2 * i : 2 * (i - n / 2) + 1);
  }
};
struct EvensHigh {
  static constexpr std::uint32_t get(std::size_t i, std::size_t n) {
    return static_cast<std::uint32_t>(i < n / 2 ? 2 * i + 1 : 2 * (i - n / 2));
  }
};
struct LowHalf {
  static constexpr bool get(std::size_t i, std::size_t n) { return i < n / 2; }
};

// first[0], first[2], ..., second[0], second[2], ...: the even elements of the
// 2 x size floats the two vectors hold, in order.
template <class Arch>
xsimd::batch<float, Arch> even_lanes(const xsimd::batch<float, Arch>& first, const xsimd::batch<float, Arch>& second) {
  using Batch = xsimd::batch<float, Arch>;
  using Index = xsimd::batch<std::uint32_t, Arch>;
  const Batch lo = xsimd::swizzle(first, xsimd::make_batch_constant<Index, EvensLow>());
  const Batch hi = xsimd::swizzle(second, xsimd::make_batch_constant<Index, EvensHigh>());
  return xsimd::select(xsimd::batch_bool<float, Arch>(xsimd::make_batch_bool_constant<Batch, LowHalf>()), lo, hi);
}

}  // namespace
}  // namespace onnxrun::kernels
