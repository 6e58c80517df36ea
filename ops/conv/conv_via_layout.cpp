// A layer run by an algorithm of the other layout: the input reordered into
// the workspace, the algorithm run there with the bias, the output reordered
// back, then the residual and the activation applied in the layer's layout.
//   - NCHW inside a blocked region (make_conv_nchwc_via_nchw): Winograd
//     layers whose transformed weights are at least twice their transformed
//     tiles (14x14 and 7x7 planes with hundreds of channels), where the
//     NCHW8c Winograd's GEMMs, 1x1 convolutions over 16 to 49 "pixels", ran
//     1.1-1.4x the NCHW SGEMM's time inside GoogLeNet (per-layer medians,
//     1 thread).
//   - Blocked in an NCHW graph (make_conv_nchw_via_nchwc): the other
//     Winograd layers, ResNet's at 56x56 and 28x28, which stay NCHW for
//     their strided neighbours (pass_nchwc_layout.cpp). Per-layer minimum
//     of medians over alternating rounds, AVX-512 machine: ResNet-18's
//     layers 0.81-0.95 of NCHW Winograd's time at 1 thread, 0.73-0.84 at 2
//     (the model 0.94 and 0.89); ResNet-50's 0.87-0.91 at 1 thread but for
//     the first 56x56 one (1.01), 0.86-1.0 at 2 (the model 0.96 and 0.98).
// A block's 8 channels are one contiguous range in either layout, so the
// reorders and the epilogue split over the same tasks.
#include "ops/conv/conv_via_layout.hpp"

#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

constexpr std::int64_t kB = kernels::kNchwcBlock;

// residual_may_be_output() stays false: run() writes the reordered output
// before it reads the residual over the same range, so a residual that is
// the output buffer would be overwritten first.
class ConvViaLayout final : public ConvAlgorithm {
 public:
  ConvViaLayout(std::unique_ptr<ConvAlgorithm> inner, const ConvSetup& setup, bool outer_blocked)
      : inner_(std::move(inner)),
        activation_(setup.activation),
        pooled_(setup.pooled_output),
        outer_blocked_(outer_blocked) {
    const reference::ConvParams& p = setup.params;
    batch_ = p.batch;
    in_blocks_ = p.in_channels / kB;
    out_blocks_ = p.out_channels / kB;
    in_plane_ = p.in[1] * p.in[2];
    out_plane_ = p.out[1] * p.out[2];
    inner_bytes_ = round_up_to_alignment(inner_->workspace_bytes());
    in_bytes_ = round_up_to_alignment(static_cast<std::size_t>(batch_ * in_blocks_ * kB * in_plane_) * sizeof(float));
  }

  std::string name() const override { return inner_->name() + (outer_blocked_ ? "_via_nchw" : "_via_nchwc"); }

  std::size_t workspace_bytes() const override {
    return inner_bytes_ + in_bytes_ + static_cast<std::size_t>(batch_ * out_blocks_ * kB * out_plane_) * sizeof(float);
  }

  void run(const ConvRunArgs& args) const override {
    std::byte* workspace = static_cast<std::byte*>(args.workspace);
    float* inner_in = reinterpret_cast<float*>(workspace + inner_bytes_);
    float* inner_out = reinterpret_cast<float*>(workspace + inner_bytes_ + in_bytes_);
    // Task t: image t / blocks, block t % blocks: floats [t * 8 * plane, + 8 * plane) either way.
    parallel_for_or_inline(args.pool, batch_ * in_blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / in_blocks_ * in_blocks_ * kB * in_plane_, block = task % in_blocks_;
        reorder(args.input + image, inner_in + image, in_plane_, block, !outer_blocked_);
      }
    });
    ConvRunArgs inner = args;
    inner.input = inner_in;
    inner.output = inner_out;
    inner.residual = nullptr;
    inner.pooled = nullptr;
    inner.workspace = workspace;
    inner_->run(inner);
    // Back, then act(y + residual) over each task's share: the element-wise
    // kernels give the same bits wherever a range is cut.
    const kernels::UnaryFunction activate{kernels::UnaryKind::Activation, activation_};
    const bool activates = activation_.kind != kernels::Activation::None;
    parallel_for_or_inline(args.pool, batch_ * out_blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / out_blocks_ * out_blocks_ * kB * out_plane_, block = task % out_blocks_;
        reorder(inner_out + image, args.output + image, out_plane_, block, outer_blocked_);
        float* y = args.output + task * out_plane_ * kB;
        if (args.residual)
          kernels::elementwise_binary(kernels::BinaryArith::Add, y, args.residual + task * out_plane_ * kB, y,
                                      out_plane_ * kB);
        if (activates) kernels::elementwise_unary(activate, y, y, out_plane_ * kB);
        if (pooled_ && args.pooled) kernels::nchwc_block_means(args.output, out_plane_, task, task + 1, args.pooled);
      }
    });
  }

 private:
  // One block of one image's planes from one layout into the other.
  static void reorder(const float* from, float* to, std::int64_t plane, std::int64_t block, bool to_blocked) {
    if (to_blocked)
      kernels::reorder_nchw_to_nchwc(from, to, plane, block, block + 1);
    else
      kernels::reorder_nchwc_to_nchw(from, to, plane, block, block + 1);
  }

  std::unique_ptr<ConvAlgorithm> inner_;
  kernels::ActivationParams activation_;
  bool pooled_, outer_blocked_;
  std::int64_t batch_ = 0, in_blocks_ = 0, out_blocks_ = 0, in_plane_ = 0, out_plane_ = 0;
  std::size_t inner_bytes_ = 0, in_bytes_ = 0;
};

std::unique_ptr<ConvAlgorithm> make_via_layout(const ConvSetup& setup, const ConvAlgorithmMaker& make,
                                               bool outer_blocked) {
  const reference::ConvParams& p = setup.params;
  if (!setup.weight || setup.input_scaled || p.in_channels % kB != 0 || p.out_channels % kB != 0 || p.in[0] != 1 ||
      p.out[0] != 1)
    return nullptr;
  // The inner algorithm adds the bias; the residual and activation come after the reorder.
  ConvSetup inner = setup;
  inner.activation = {};
  inner.pooled_output = false;
  std::unique_ptr<ConvAlgorithm> algorithm = make(inner);
  if (!algorithm) return nullptr;
  return std::make_unique<ConvViaLayout>(std::move(algorithm), setup, outer_blocked);
}

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_nchwc_via_nchw(const ConvSetup& setup, const ConvAlgorithmMaker& make) {
  return make_via_layout(setup, make, true);
}

std::unique_ptr<ConvAlgorithm> make_conv_nchw_via_nchwc(const ConvSetup& setup, const ConvAlgorithmMaker& make) {
  if (setup.pooled_output) return nullptr;  // only blocked layers pool their output
  return make_via_layout(setup, make, false);
}

}  // namespace onnxrun
