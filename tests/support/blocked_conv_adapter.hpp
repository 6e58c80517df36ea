#pragma once
// Runs an algorithm for NCHW8c tensors (conv_nchwc.hpp, conv_winograd.hpp's
// make_conv_winograd_nchwc) on NCHW ones, converting the input, residual and
// output with the reorder kernels, so that check_conv_algorithm can compare it
// with the reference.
#include <cmath>
#include <memory>
#include <vector>

#include "ops/conv/conv_algorithm.hpp"
#include "ops/kernels/nchwc_conv.hpp"

namespace onnxrun::testing {

// Runs the blocked algorithm on NCHW tensors. nchw_input: the algorithm reads
// NCHW itself (make_conv_nchwc_from_nchw), only its output and residual are blocked.
class BlockedAdapter final : public ConvAlgorithm {
 public:
  BlockedAdapter(std::unique_ptr<ConvAlgorithm> blocked, const reference::ConvParams& p, bool nchw_input)
      : blocked_(std::move(blocked)), p_(p), nchw_input_(nchw_input) {}
  std::string name() const override { return blocked_->name(); }
  std::size_t workspace_bytes() const override { return blocked_->workspace_bytes(); }
  bool residual_may_be_output() const override { return blocked_->residual_may_be_output(); }
  // A residual in the output buffer stays there: the blocked run gets its
  // blocked copy as both residual and output.
  void run(const ConvRunArgs& args) const override {
    const std::int64_t in_plane = p_.in[1] * p_.in[2], out_plane = p_.out[1] * p_.out[2];
    std::vector<float> input = nchw_input_ ? std::vector<float>(args.input, args.input + p_.batch * p_.in_channels * in_plane)
                                           : to_blocked(args.input, p_.in_channels, in_plane);
    std::vector<float> residual = args.residual ? to_blocked(args.residual, p_.out_channels, out_plane)
                                                : std::vector<float>{};
    const bool in_output = args.residual && args.residual == args.output;
    std::vector<float> output =
        in_output ? residual : std::vector<float>(static_cast<std::size_t>(p_.batch * p_.out_channels * out_plane), NAN);
    ConvRunArgs blocked = args;
    blocked.input = input.data();
    blocked.residual = in_output ? output.data() : args.residual ? residual.data() : nullptr;
    blocked.output = output.data();
    blocked_->run(blocked);
    const std::int64_t blocks = p_.out_channels / kernels::kNchwcBlock, image = p_.out_channels * out_plane;
    for (std::int64_t n = 0; n < p_.batch; ++n)
      kernels::reorder_nchwc_to_nchw(output.data() + n * image, args.output + n * image, out_plane, 0, blocks);
  }

 private:
  std::vector<float> to_blocked(const float* nchw, std::int64_t channels, std::int64_t plane) const {
    std::vector<float> blocked(static_cast<std::size_t>(p_.batch * channels * plane));
    for (std::int64_t n = 0; n < p_.batch; ++n)
      kernels::reorder_nchw_to_nchwc(nchw + n * channels * plane, blocked.data() + n * channels * plane, plane, 0,
                               channels / kernels::kNchwcBlock);
    return blocked;
  }
  std::unique_ptr<ConvAlgorithm> blocked_;
  reference::ConvParams p_;
  bool nchw_input_;
};

}  // namespace onnxrun::testing
