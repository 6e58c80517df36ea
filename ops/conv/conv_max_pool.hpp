#pragma once
// A 2D MaxPool folded into the convolution before it (FusedConv's pool_*
// attributes, made by fuse_max_pool_into_conv). The first layers of ResNet,
// SqueezeNet and GoogLeNet write 64 channels of 111x111 or 112x112 (3.2 MB),
// more than L2 holds, and their pool read all of it back from L3. Where the
// convolution's algorithm computes bands of rows on their own (the direct
// one and the blocked one from an NCHW image, ConvAlgorithm::computes_rows),
// each thread computes a few rows of
// every channel into a buffer that stays in L2 and pools them at once; the
// rows two bands share are kept, not computed twice. Otherwise the
// convolution writes its whole output to the workspace and the pool follows.
// The same on a blocked (NCHW8c) convolution's output, block by block
// (SqueezeNet's, GoogLeNet's and ResNet's first layers, which write their region's
// blocked tensors from the RGB image).
#include <cstddef>
#include <cstdint>
#include <optional>

#include "ops/conv/conv_algorithm.hpp"
#include "ops/kernels/pool_kernels.hpp"
#include "ops/reference/pool_reference.hpp"
#include "runtime/exec/op.hpp"

namespace onnxrun {

// Whether the node carries a folded MaxPool (kFoldedPoolPrefix attributes).
bool has_folded_max_pool(const Node& node);
// Its params over the convolution's output (conv_output: [N, C, spatial...]),
// checked as MaxPool checks its own; errors name the node.
reference::PoolParams read_folded_max_pool(const InferContext& context, const Shape& conv_output);

class ConvMaxPool {
 public:
  // pool: the MaxPool over the convolution's output ([batch, channels, in...]
  // its input), without Indices. blocked: the convolution's output and the
  // pooled output are NCHW8c; the pool must then be 2D with dilation 1
  // (blocked_pool_applies).
  ConvMaxPool(const reference::PoolParams& pool, int threads, bool blocked = false);
  static bool blocked_pool_applies(const reference::PoolParams& pool);

  // Scratch for run(), after the algorithm's own workspace_bytes().
  std::size_t workspace_bytes(const ConvAlgorithm& algorithm) const;
  // args.output is the pooled output; args.residual must be null.
  void run(const ConvAlgorithm& algorithm, const ConvRunArgs& args) const;

 private:
  bool banded(const ConvAlgorithm& algorithm) const { return simd_.has_value() && algorithm.computes_rows(); }
  std::size_t algorithm_bytes(const ConvAlgorithm& algorithm) const;
  // Pooled rows [first, last) of image n, in bands, with `band` as the buffer.
  void run_rows(const ConvAlgorithm& algorithm, const ConvRunArgs& args, std::int64_t n, std::int64_t first,
                std::int64_t last, float* band) const;
  void run_unbanded(const ConvAlgorithm& algorithm, const ConvRunArgs& args) const;

  // Pools planes [begin, end) (channels, or blocks of 8) of geometry g.
  void pool_planes(const kernels::Pool2dGeometry& g, const float* input, float* output, std::int64_t begin,
                   std::int64_t end) const;

  reference::PoolParams pool_;
  std::optional<kernels::Pool2dGeometry> simd_;  // the whole plane's, where the SIMD kernel applies
  // Floats per pixel of a plane: 1, or 8 where a plane is a block of
  // channels (blocked); planes_ per image.
  std::int64_t lanes_ = 1, planes_ = 0;
  int threads_ = 1;
  std::int64_t band_rows_ = 1;  // pooled rows per band
  std::int64_t band_plane_ = 0;
  std::int64_t band_floats_ = 0;  // one band buffer: channels x input rows of a band x width
};

}  // namespace onnxrun
