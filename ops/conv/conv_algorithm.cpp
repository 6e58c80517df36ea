#include "ops/conv/conv_algorithm.hpp"

#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class ConvReference final : public ConvAlgorithm {
 public:
  explicit ConvReference(const ConvSetup& setup) : setup_(setup) {}

  std::string name() const override { return "reference"; }
  std::size_t workspace_bytes() const override { return 0; }

  void run(const ConvRunArgs& args) const override {
    const reference::ConvParams& p = setup_.params;
    const std::int64_t plane = p.out[0] * p.out[1] * p.out[2];
    kernels::Epilogue epilogue;  // the bias is added by conv_reference itself
    epilogue.activation = setup_.activation;
    const bool plain = !args.residual && setup_.activation.kind == kernels::Activation::None;
    args.pool->parallel_for(p.batch * p.out_channels, [&](std::int64_t begin, std::int64_t end) {
      reference::conv_reference(p, args.input, args.weight ? args.weight : setup_.weight, args.bias, args.output, begin, end);
      if (plain) return;
      for (std::int64_t task = begin; task < end; ++task)
        kernels::apply_epilogue_row(args.output + task * plane, plane, epilogue, 0,
                                    args.residual ? args.residual + task * plane : nullptr);
    });
  }

 private:
  ConvSetup setup_;
};

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_reference(const ConvSetup& setup) {
  return std::make_unique<ConvReference>(setup);
}

}  // namespace onnxrun
