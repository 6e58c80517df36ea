#include "ops/conv/conv_max_pool.hpp"

#include <algorithm>
#include <cstring>

#include "ops/common/spatial_geometry.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/pool/pool_ops.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

// A band buffer's size: with the padded input (600 KB for a 224x224 RGB
// image) it stays in a 2 MiB L2.
constexpr std::int64_t kBandBytes = 256 * 1024;

std::size_t round_up_64(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

bool has_folded_max_pool(const Node& node) {
  return node.attributes.has(std::string(kFoldedPoolPrefix) + "kernel_shape");
}

reference::PoolParams read_folded_max_pool(const InferContext& context, const Shape& conv_output) {
  // The pool's attributes under their own names, on a node that reads as the
  // fused one in errors.
  Node pool_node;
  pool_node.name = context.node().name;
  pool_node.op_type = context.node().op_type + " (its folded MaxPool)";
  pool_node.domain = context.node().domain;
  const std::string prefix = kFoldedPoolPrefix;
  for (const auto& [name, attribute] : context.node().attributes.all())
    if (name.rfind(prefix, 0) == 0) pool_node.attributes.set(name.substr(prefix.size()), attribute);
  ValueDesc input;
  input.present = true;
  input.dtype = DType::Float32;
  input.shape = conv_output;
  const InferContext pool(pool_node, {input}, 1);
  const SpatialAttributes attributes = read_spatial_attributes(pool, true);
  if (attributes.kernel_shape.empty()) pool.fail("the kernel_shape attribute is required");
  const SpatialGeometry geometry =
      compute_spatial_geometry(pool, Shape(conv_output.begin() + 2, conv_output.end()), attributes.kernel_shape,
                               attributes);
  reference::PoolParams params;
  static_cast<reference::SpatialParams&>(params) = geometry.kernel_params();
  params.batch = conv_output[0];
  params.channels = conv_output[1];
  return params;
}

bool ConvMaxPool::blocked_pool_applies(const reference::PoolParams& pool) {
  return pool2d_geometry(pool).has_value() && pool.channels % kernels::kNchwcBlock == 0;
}

ConvMaxPool::ConvMaxPool(const reference::PoolParams& pool, int threads, bool blocked)
    : pool_(pool), simd_(blocked ? pool2d_geometry(pool) : simd_pool2d_geometry(pool)),
      lanes_(blocked ? kernels::kNchwcBlock : 1), planes_(pool.channels / lanes_), threads_(std::max(1, threads)) {
  if (blocked && !blocked_pool_applies(pool))
    throw Error("a MaxPool folded into a blocked convolution must be 2D with dilation 1, on whole blocks");
  if (!simd_) return;
  const std::int64_t width = simd_->in_w, channels = pool_.channels;
  // Input rows of a band of b pooled rows: (b - 1) * stride + kernel.
  const auto band_in_rows = [&](std::int64_t b) { return (b - 1) * simd_->stride_h + simd_->kernel_h; };
  band_rows_ = 1;
  while (band_rows_ < simd_->out_h && channels * band_in_rows(band_rows_ + 1) * width * 4 <= kBandBytes) ++band_rows_;
  band_plane_ = std::min(band_in_rows(band_rows_), simd_->in_h) * width;
  band_floats_ = channels * band_plane_;
}

std::size_t ConvMaxPool::algorithm_bytes(const ConvAlgorithm& algorithm) const {
  return round_up_64(algorithm.workspace_bytes());
}

std::size_t ConvMaxPool::workspace_bytes(const ConvAlgorithm& algorithm) const {
  if (banded(algorithm))
    return algorithm_bytes(algorithm) + static_cast<std::size_t>(threads_ * band_floats_) * sizeof(float);
  const std::size_t conv_output = static_cast<std::size_t>(pool_.batch * pool_.channels * pool_.in[0] * pool_.in[1] *
                                                           pool_.in[2]) * sizeof(float);
  return algorithm_bytes(algorithm) + conv_output;
}

void ConvMaxPool::run(const ConvAlgorithm& algorithm, const ConvRunArgs& args) const {
  if (!banded(algorithm)) return run_unbanded(algorithm, args);
  algorithm.prepare_rows(args);
  float* bands = reinterpret_cast<float*>(static_cast<std::byte*>(args.workspace) + algorithm_bytes(algorithm));
  // Each slot a contiguous share of the images' pooled rows and its own
  // band buffer; a share that crosses images goes image by image.
  const std::int64_t rows = simd_->out_h, total = pool_.batch * rows;
  const std::int64_t slots = std::min<std::int64_t>(threads_, total);
  const auto body = [&](std::int64_t slot_begin, std::int64_t slot_end) {
    for (std::int64_t slot = slot_begin; slot < slot_end; ++slot) {
      float* band = bands + slot * band_floats_;
      for (std::int64_t i = total * slot / slots, end = total * (slot + 1) / slots; i < end;) {
        const std::int64_t n = i / rows, first = i % rows, last = std::min(rows, first + (end - i));
        run_rows(algorithm, args, n, first, last, band);
        i += last - first;
      }
    }
  };
  if (args.pool && slots > 1)
    args.pool->parallel_for(slots, body, 1);
  else
    body(0, slots);
}

void ConvMaxPool::pool_planes(const kernels::Pool2dGeometry& g, const float* input, float* output,
                              std::int64_t begin, std::int64_t end) const {
  if (lanes_ > 1)
    kernels::maxpool2d_nchwc(g, input, output, begin, end);
  else
    kernels::maxpool2d(g, input, output, begin, end);
}

void ConvMaxPool::run_rows(const ConvAlgorithm& algorithm, const ConvRunArgs& args, std::int64_t n,
                           std::int64_t first, std::int64_t last, float* band) const {
  const kernels::Pool2dGeometry& g = *simd_;
  // In floats: a row of a plane, a plane of the band buffer.
  const std::int64_t row = g.in_w * lanes_, plane = band_plane_ * lanes_;
  const std::int64_t out_plane = g.out_h * g.out_w;  // pixels
  std::int64_t held_begin = 0, held_end = 0;  // input rows the buffer holds, from its row 0
  for (std::int64_t p = first; p < last; p += band_rows_) {
    const std::int64_t p_end = std::min(last, p + band_rows_);
    const std::int64_t top = p * g.stride_h - g.pad_top;  // the band's first window's first row
    const std::int64_t lo = std::max<std::int64_t>(0, top);
    const std::int64_t hi = std::min(g.in_h, (p_end - 1) * g.stride_h - g.pad_top + g.kernel_h);
    // Rows the previous band computed and this one needs move to the top.
    std::int64_t kept = 0;
    if (held_begin <= lo && lo < held_end) {
      kept = std::min(held_end, hi) - lo;
      if (lo > held_begin)
        for (std::int64_t c = 0; c < planes_; ++c)
          std::memmove(band + c * plane, band + c * plane + (lo - held_begin) * row,
                       static_cast<std::size_t>(kept * row) * sizeof(float));
    }
    if (lo + kept < hi) algorithm.compute_rows(args, n, lo + kept, hi, band + kept * row, plane);
    held_begin = lo;
    held_end = hi;

    kernels::Pool2dGeometry rows = g;
    rows.in_h = hi - lo;
    rows.out_h = p_end - p;
    rows.pad_top = lo - top;
    rows.count_end_h = rows.in_h;
    rows.in_plane = band_plane_;
    rows.out_plane = out_plane;
    pool_planes(rows, band, args.output + (n * pool_.channels * out_plane + p * g.out_w * lanes_), 0, planes_);
  }
}

void ConvMaxPool::run_unbanded(const ConvAlgorithm& algorithm, const ConvRunArgs& args) const {
  float* conv_output = reinterpret_cast<float*>(static_cast<std::byte*>(args.workspace) + algorithm_bytes(algorithm));
  ConvRunArgs conv = args;
  conv.output = conv_output;
  algorithm.run(conv);
  const std::int64_t planes = pool_.batch * planes_;
  const std::int64_t grain = pool_grain(pool_.in[0] * pool_.in[1] * pool_.in[2] * lanes_);
  const auto pool_range = [&](std::int64_t begin, std::int64_t end) {
    if (simd_)
      pool_planes(*simd_, conv_output, args.output, begin, end);
    else  // NCHW only: the blocked pool always has simd_
      reference::maxpool_reference<float>(pool_, conv_output, args.output, nullptr, false, begin, end);
  };
  parallel_for_or_inline(args.pool, planes, pool_range, grain);
}

}  // namespace onnxrun
