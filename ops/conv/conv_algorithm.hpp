#pragma once
// One way of computing a convolution (im2col + GEMM, 1x1 GEMM, Winograd,
// depthwise, the scalar reference). ConvOp builds the candidates that apply to
// a layer at prepare time, picks one, and calls it on every run.
//
// An algorithm owns whatever it derived from the constant weights (packed or
// transformed), says how much scratch memory a run needs, and splits its work
// over the thread pool itself.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ops/kernels/epilogue.hpp"
#include "ops/reference/conv_reference.hpp"

namespace onnxrun {

class ThreadPool;

// What every algorithm is built from: the layer's geometry (3 spatial dims,
// unused leading ones of size 1), its weights as given in the model
// ([out_channels, in_channels / groups, kernel...], constant), and the fused
// activation (ActivationParams::kind None when nothing is fused).
struct ConvSetup {
  reference::ConvParams params;
  const float* weight = nullptr;
  kernels::ActivationParams activation;
  int threads = 1;  // the pool size runs will use
  // The input is to be scaled per image and channel first (ConvRunArgs::
  // input_scale); only the blocked algorithm (conv_nchwc.hpp) takes it.
  bool input_scaled = false;
  // Also the output's per-channel means (ConvRunArgs::pooled); only the
  // blocked algorithm takes it.
  bool pooled_output = false;
};

// Per-run pointers. bias and residual may be null; residual has the output's
// shape and is added before the activation.
struct ConvRunArgs {
  const float* input = nullptr;
  // The weights as the model gives them at run time; only algorithms that did
  // not transform them at setup (the reference) read them.
  const float* weight = nullptr;
  const float* bias = nullptr;
  const float* residual = nullptr;
  // With ConvSetup::input_scaled: [batch, in_channels] factors; the layer
  // convolves input x input_scale (a squeeze-excitation block's scaling).
  const float* input_scale = nullptr;
  float* output = nullptr;
  // With ConvSetup::pooled_output: [batch, out_channels], each channel's mean
  // over the output plane (a GlobalAveragePool of the output folded in).
  float* pooled = nullptr;
  void* workspace = nullptr;  // workspace_bytes() of scratch, 64-byte aligned
  ThreadPool* pool = nullptr;
};

class ConvAlgorithm {
 public:
  virtual ~ConvAlgorithm() = default;
  // Short name for profiles and logs: "im2col_gemm", "gemm_1x1", "winograd_f4x4", ...
  virtual std::string name() const = 0;
  virtual std::size_t workspace_bytes() const = 0;
  virtual void run(const ConvRunArgs& args) const = 0;
  // Whether run() is right when the residual is the output buffer itself
  // (args.residual == args.output, holding the residual): the plan may then
  // write a residual block's output over its input.
  virtual bool residual_may_be_output() const { return false; }

  // Bands of output rows, for a MaxPool folded into the convolution
  // (conv_max_pool.hpp): whether compute_rows can compute any band alone.
  virtual bool computes_rows() const { return false; }
  // Once per run, before compute_rows: what run() does ahead of computing
  // rows (the direct algorithm's padded copy of the input), split over the pool.
  virtual void prepare_rows(const ConvRunArgs&) const {}
  // Rows [row_begin, row_end) of image n's output, every channel, on the
  // calling thread: channel c's row y at out + c * out_plane + (y -
  // row_begin) * out_w, or in an NCHW8c algorithm's output layout (8
  // channels per pixel) block b's row y at out + b * out_plane + (y -
  // row_begin) * out_w * 8. args.output and args.residual are not used.
  virtual void compute_rows(const ConvRunArgs&, std::int64_t /*n*/, std::int64_t /*row_begin*/,
                            std::int64_t /*row_end*/, float* /*out*/, std::int64_t /*out_plane*/) const {}
};

// The scalar reference plus the epilogue: always applicable, the fallback.
std::unique_ptr<ConvAlgorithm> make_conv_reference(const ConvSetup& setup);

}  // namespace onnxrun
