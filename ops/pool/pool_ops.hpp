#pragma once
// Shared by the pooling ops: registration of the ops kept in their own files
// (register_pool_ops in max_pool.cpp calls these), the SIMD fast path's
// geometry, and how finely pooling work is split over the thread pool.
#include <algorithm>
#include <optional>

#include "ops/kernels/pool_kernels.hpp"
#include "ops/reference/pool_reference.hpp"
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_average_pool_ops(OpRegistry& registry);

// Input elements one pool task should cover at least (64 KiB of float32):
// below that, handing out the task costs more than it saves.
inline constexpr std::int64_t kPoolTaskElements = 16384;

// Planes per task for planes of `plane` elements.
inline std::int64_t pool_grain(std::int64_t plane) {
  return std::max<std::int64_t>(1, kPoolTaskElements / std::max<std::int64_t>(1, plane));
}

// The kernels' geometry of 1D or 2D pooling (the outer of the three dims
// trivial) with dilation 1; nullopt for other params.
inline std::optional<kernels::Pool2dGeometry> pool2d_geometry(const reference::SpatialParams& p,
                                                              const std::int64_t* count_end = nullptr) {
  if (p.in[0] != 1 || p.kernel[0] != 1 || p.out[0] != 1 || p.pad[0] != 0) return std::nullopt;
  if (p.dilation[1] != 1 || p.dilation[2] != 1) return std::nullopt;
  kernels::Pool2dGeometry g;
  g.in_h = p.in[1];
  g.in_w = p.in[2];
  g.out_h = p.out[1];
  g.out_w = p.out[2];
  g.kernel_h = p.kernel[1];
  g.kernel_w = p.kernel[2];
  g.stride_h = p.stride[1];
  g.stride_w = p.stride[2];
  g.pad_top = p.pad[1];
  g.pad_left = p.pad[2];
  g.count_end_h = count_end ? count_end[1] : g.in_h;
  g.count_end_w = count_end ? count_end[2] : g.in_w;
  return g;
}

// The geometry for kernels::maxpool2d / avgpool2d when they take these
// params: pool2d_geometry's, where pool2d_kernel_supports accepts it.
// nullopt sends the op to the reference.
inline std::optional<kernels::Pool2dGeometry> simd_pool2d_geometry(const reference::SpatialParams& p,
                                                                   const std::int64_t* count_end = nullptr) {
  std::optional<kernels::Pool2dGeometry> g = pool2d_geometry(p, count_end);
  if (g && !kernels::pool2d_kernel_supports(*g)) return std::nullopt;
  return g;
}

}  // namespace onnxrun
