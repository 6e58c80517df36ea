// An NCHW algorithm run inside a blocked region: the NCHW8c input reordered
// to NCHW, the algorithm run with its bias, the output reordered back and the
// residual and activation applied on the blocked tensor. For layers whose
// NCHW algorithm beats every blocked one by more than the two reorders cost:
// Winograd layers whose transformed weights outweigh their tiles (14x14 and
// 7x7 planes with hundreds of channels), where the NCHW8c Winograd's GEMMs,
// 1x1 convolutions over 16 to 49 "pixels", ran 1.1-1.4x the NCHW SGEMM's
// time inside GoogLeNet (per-layer medians, 1 thread).
#include "ops/conv/conv_nchwc_via_nchw.hpp"

#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

constexpr std::int64_t kB = kernels::kNchwcBlock;

class ConvNchwcViaNchw final : public ConvAlgorithm {
 public:
  ConvNchwcViaNchw(std::unique_ptr<ConvAlgorithm> inner, const ConvSetup& setup)
      : inner_(std::move(inner)), activation_(setup.activation), pooled_(setup.pooled_output) {
    const reference::ConvParams& p = setup.params;
    batch_ = p.batch;
    in_blocks_ = p.in_channels / kB;
    out_blocks_ = p.out_channels / kB;
    in_plane_ = p.in[1] * p.in[2];
    out_plane_ = p.out[1] * p.out[2];
    inner_bytes_ = round_up_to_alignment(inner_->workspace_bytes());
    in_bytes_ = round_up_to_alignment(static_cast<std::size_t>(batch_ * in_blocks_ * kB * in_plane_) * sizeof(float));
  }

  std::string name() const override { return inner_->name() + "_via_nchw"; }

  std::size_t workspace_bytes() const override {
    return inner_bytes_ + in_bytes_ + static_cast<std::size_t>(batch_ * out_blocks_ * kB * out_plane_) * sizeof(float);
  }

  void run(const ConvRunArgs& args) const override {
    std::byte* workspace = static_cast<std::byte*>(args.workspace);
    float* nchw_in = reinterpret_cast<float*>(workspace + inner_bytes_);
    float* nchw_out = reinterpret_cast<float*>(workspace + inner_bytes_ + in_bytes_);
    parallel_for_or_inline(args.pool, batch_ * in_blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / in_blocks_ * in_blocks_ * kB * in_plane_, block = task % in_blocks_;
        kernels::reorder_nchwc_to_nchw(args.input + image, nchw_in + image, in_plane_, block, block + 1);
      }
    });
    ConvRunArgs inner = args;
    inner.input = nchw_in;
    inner.output = nchw_out;
    inner.residual = nullptr;
    inner.pooled = nullptr;
    inner.workspace = workspace;
    inner_->run(inner);
    // Back to blocks, then act(y + residual) over each task's share: the
    // element-wise kernels give the same bits wherever a range is cut.
    const kernels::UnaryFunction activate{kernels::UnaryKind::Activation, activation_};
    const bool activates = activation_.kind != kernels::Activation::None;
    parallel_for_or_inline(args.pool, batch_ * out_blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / out_blocks_ * out_blocks_ * kB * out_plane_, block = task % out_blocks_;
        kernels::reorder_nchw_to_nchwc(nchw_out + image, args.output + image, out_plane_, block, block + 1);
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
  std::unique_ptr<ConvAlgorithm> inner_;
  kernels::ActivationParams activation_;
  bool pooled_;
  std::int64_t batch_ = 0, in_blocks_ = 0, out_blocks_ = 0, in_plane_ = 0, out_plane_ = 0;
  std::size_t inner_bytes_ = 0, in_bytes_ = 0;
};

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_nchwc_via_nchw(const ConvSetup& setup,
                                                        const std::function<std::unique_ptr<ConvAlgorithm>(const ConvSetup&)>& make) {
  const reference::ConvParams& p = setup.params;
  if (!setup.weight || setup.input_scaled || p.in_channels % kB != 0 || p.out_channels % kB != 0 || p.in[0] != 1 ||
      p.out[0] != 1)
    return nullptr;
  // The NCHW algorithm adds the bias; the residual and activation come after the reorder.
  ConvSetup inner = setup;
  inner.activation = {};
  inner.pooled_output = false;
  std::unique_ptr<ConvAlgorithm> algorithm = make(inner);
  if (!algorithm) return nullptr;
  return std::make_unique<ConvNchwcViaNchw>(std::move(algorithm), setup);
}

}  // namespace onnxrun
