// Conv (opsets 1+): 1D/2D/3D, strides, pads, dilations, groups, auto_pad,
// optional bias, kernel_shape inferred from the weights. Also FusedConv (domain
// com.onnxrun), which the graph optimizer makes from a Conv followed by a
// residual Add and/or an activation: inputs X, W, B, Residual and the
// attributes "activation", "activation_alpha", "activation_beta".
//
// prepare() picks the algorithm (conv_algorithm.hpp) by conv_choice.hpp's cost
// model over what applies to the layer; the scalar reference is the only
// choice when the weights are computed at run time.
//
// NchwcConv (domain com.onnxrun), made by the layout pass (optimize.hpp), is
// FusedConv on NCHW8c tensors: X, the residual and Y are [N, C/8, H, W, 8].
// It checks and infers on the NCHW shapes they stand for and always runs the
// blocked algorithm (conv_nchwc.hpp). With the attribute nchw_input = 1, X is
// plain NCHW with any channel count (a network's first layer) and only the
// residual and Y are blocked. An optional input 4, Scale, [N, C/8, 1, 1, 8]
// (a dense layer's input channels), scales X per image and channel first:
// the layer computes the convolution of X * Scale (a squeeze-excitation
// block's Mul folded in by fold_channel_scale_into_conv). An optional
// output 1, [N, C, 1, 1] (NCHW), is the mean of each channel of Y over its
// plane (a GlobalAveragePool of Y folded in by fuse_pool_into_conv).
//
// FusedConv with the attributes pool_kernel_shape, pool_strides, ... (a
// MaxPool folded in by fuse_max_pool_into_conv) outputs the pooled
// convolution (conv_max_pool.hpp); so does NchwcConv, blocked, with them.
#include "ops/common/broadcast.hpp"
#include "ops/common/conv_validation.hpp"
#include "ops/common/fused_activation.hpp"
#include "ops/common/spatial_geometry.hpp"
#include "ops/conv/conv_algorithm.hpp"
#include "ops/conv/conv_choice.hpp"
#include "ops/conv/conv_max_pool.hpp"
#include "ops/conv/conv_nchwc.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/reference/conv_reference.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

enum class ConvKind { Plain, Fused, FusedNchwc };

// [N, C/8, rest..., 8] -> [N, C, rest...]; fails unless the shape is blocked.
Shape unblocked_shape(const InferContext& context, std::size_t input) {
  const Shape& s = context.input(input).shape;
  if (s.size() < 3 || s.back() != kernels::kNchwcBlock)
    context.fail("input " + std::to_string(input) + " has shape " + shape_to_string(s) +
                 ", not an NCHW8c blocked shape [N, C/8, ..., 8]");
  Shape nchw(s.begin(), s.end() - 1);
  nchw[1] *= kernels::kNchwcBlock;
  return nchw;
}

class ConvOp final : public Op {
 public:
  explicit ConvOp(ConvKind kind) : fused_(kind != ConvKind::Plain), blocked_(kind == ConvKind::FusedNchwc) {}

  void infer(InferContext& context) override {
    if (!blocked_) return infer_nchw(context);
    const std::int64_t nchw_input = context.attr_int("nchw_input", 0);
    if (nchw_input != 0 && nchw_input != 1) context.fail("attribute 'nchw_input' must be 0 or 1");
    nchw_input_ = nchw_input == 1;
    context.require_input_count(2, 5);
    // The same checks and geometry on the NCHW shapes of the blocked tensors.
    std::vector<ValueDesc> inputs;
    for (std::size_t i = 0; i < std::min<std::size_t>(context.input_count(), 4); ++i) {
      inputs.push_back(context.has_input(i) ? context.input(i) : ValueDesc{});
      const bool blocked_input = i == 3 || (i == 0 && !nchw_input_);
      if (blocked_input && context.has_input(i)) inputs.back().shape = unblocked_shape(context, i);
    }
    InferContext nchw(context.node(), std::move(inputs), 1);
    infer_nchw(nchw);
    if (broadcast_residual_) context.fail("the residual (input 3) must have the output's shape");
    if (nchw_input_ && !conv_nchwc_from_nchw_applies(params_))
      context.fail("with nchw_input runs only 2D dense convolutions whose output channels are a multiple of 8");
    if (!nchw_input_ && !conv_nchwc_applies(params_))
      context.fail("runs only 2D dense or depthwise convolutions whose channel counts are multiples of 8");
    input_scaled_ = context.has_input(4);
    if (input_scaled_) check_input_scale(context);
    // Folded only into first layers (fuse_max_pool_into_conv), whose blocked
    // algorithm computes bands of rows; a pointwise layer's plane is one
    // flattened row, which bands do not fit.
    if (max_pool_params_ && !nchw_input_)
      context.fail("a folded MaxPool (pool_* attributes) is taken only with nchw_input = 1");
    if (max_pool_params_ && (input_scaled_ || context.has_output(1)))
      context.fail("a folded MaxPool (pool_* attributes) takes no Scale (input 4) and no pooled output (output 1)");
    if (max_pool_params_ && !ConvMaxPool::blocked_pool_applies(*max_pool_params_))
      context.fail("a folded MaxPool (pool_* attributes) on blocked tensors must be 2D with dilation 1");
    Shape y = nchw.outputs()[0].shape;
    if (context.output_count() > 2)
      context.fail("has " + std::to_string(context.output_count()) + " outputs, at most 2");
    pooled_ = context.has_output(1);
    if (pooled_) context.set_output(1, DType::Float32, Shape{y[0], y[1], 1, 1});
    y[1] /= kernels::kNchwcBlock;
    y.push_back(kernels::kNchwcBlock);
    context.set_output(0, DType::Float32, y);
  }

  // Input 4: one factor per image and input channel, blocked.
  void check_input_scale(InferContext& context) const {
    context.require_dtype(4, DType::Float32);
    if (nchw_input_ || params_.groups != 1)
      context.fail("input 4 (Scale) is taken only by dense layers on blocked inputs");
    const Shape expected{params_.batch, params_.in_channels / kernels::kNchwcBlock, 1, 1, kernels::kNchwcBlock};
    if (context.input(4).shape != expected)
      context.fail("input 4 (Scale) has shape " + shape_to_string(context.input(4).shape) + ", expected " +
                   shape_to_string(expected));
  }

  void infer_nchw(InferContext& context) {
    context.require_input_count(2, fused_ ? 4 : 3);
    const ConvChannels checked = check_conv_inputs(context, ConvWeightLayout::kOutputFirst);
    const Shape& x = context.input(0).shape;
    const std::int64_t group = checked.group, channels = checked.in_channels, out_channels = checked.out_channels;

    SpatialAttributes attributes = read_spatial_attributes(context, false);
    const Shape weight_kernel = conv_weight_kernel(context, attributes.kernel_shape);
    const SpatialGeometry geometry =
        compute_spatial_geometry(context, Shape(x.begin() + 2, x.end()), weight_kernel, attributes);

    static_cast<reference::SpatialParams&>(params_) = geometry.kernel_params();
    params_.batch = x[0];
    params_.in_channels = channels;
    params_.out_channels = out_channels;
    params_.groups = group;
    Shape y{x[0], out_channels};
    for (std::int64_t size : geometry.output_spatial()) y.push_back(size);
    max_pool_params_.reset();
    if (fused_ && has_folded_max_pool(context.node())) {
      if (context.has_input(3)) context.fail("a folded MaxPool (pool_* attributes) takes no residual (input 3)");
      max_pool_params_ = read_folded_max_pool(context, y);
      Shape pooled{y[0], y[1]};
      for (std::size_t d = 0; d + 2 < y.size(); ++d) pooled.push_back(max_pool_params_->out[3 - (y.size() - 2) + d]);
      context.set_output(0, DType::Float32, pooled);
    } else {
      context.set_output(0, DType::Float32, y);
    }

    activation_ = fused_ ? read_fused_activation(context) : kernels::ActivationParams{};
    residual_ = context.has_input(3);
    if (residual_) {
      const Shape& r = context.input(3).shape;
      // The fusion pass cannot see shapes: a residual that only broadcasts to
      // the output is added on a slower path after the convolution.
      if (broadcast_shapes(context, r, y) != y)
        context.fail("residual (input 3) has shape " + shape_to_string(r) + ", which does not broadcast to the output " +
                     shape_to_string(y));
      broadcast_residual_ = r != y;
      if (broadcast_residual_) {
        residual_strides_ = broadcast_strides(r, y);
        output_shape_ = y;
      }
    }
  }

  void prepare(PrepareContext& context) override {
    ConvSetup setup;
    setup.params = params_;
    setup.activation = broadcast_residual_ ? kernels::ActivationParams{} : activation_;
    setup.threads = context.threads();
    setup.input_scaled = input_scaled_;
    setup.pooled_output = pooled_;
    const Tensor* weight = context.input(1).constant;
    if (weight) {
      setup.weight = weight->data_as<float>();
      algorithm_ = !blocked_     ? choose_conv_algorithm(setup)
                   : nchw_input_ ? make_conv_nchwc_from_nchw(setup)
                                 : choose_blocked_conv_algorithm(setup);
      // The layout pass makes NchwcConv only from constant weights.
      if (!algorithm_) throw Error("NchwcConv: no blocked algorithm for this layer");
    } else if (blocked_) {
      throw Error("NchwcConv needs constant weights (input 1)");
    } else {
      algorithm_ = make_conv_reference(setup);
    }
    max_pool_.reset();
    if (max_pool_params_) max_pool_.emplace(*max_pool_params_, setup.threads, blocked_);
    context.request_workspace(max_pool_ ? max_pool_->workspace_bytes(*algorithm_) : algorithm_->workspace_bytes());
  }

  std::string algorithm() const override {
    if (!algorithm_) return "";
    return max_pool_ ? algorithm_->name() + "+maxpool" : algorithm_->name();
  }

  // The convolution's, not the pooled output's (node_flops would count those).
  std::int64_t multiply_adds() const override {
    if (!max_pool_params_) return -1;
    const reference::ConvParams& p = params_;
    double macs = static_cast<double>(p.batch) * static_cast<double>(p.out_channels) *
                  static_cast<double>(p.in_channels / p.groups);
    for (int d = 0; d < 3; ++d) macs *= static_cast<double>(p.out[d]) * static_cast<double>(p.kernel[d]);
    return macs < 1e18 ? static_cast<std::int64_t>(macs) : std::int64_t{1000000000000000000};  // a display value
  }

  int input_overwritten_by_output() const override {
    return residual_ && !broadcast_residual_ && algorithm_ && algorithm_->residual_may_be_output() ? 3 : -1;
  }

  void run(const RunContext& context) const override {
    ConvRunArgs args;
    args.input = context.input<float>(0);
    args.weight = context.input<float>(1);
    args.bias = context.inputs.size() > 2 ? context.input<float>(2) : nullptr;
    args.residual = residual_ && !broadcast_residual_ ? context.input<float>(3) : nullptr;
    args.input_scale = input_scaled_ ? context.input<float>(4) : nullptr;
    args.output = context.output<float>(0);
    args.pooled = pooled_ ? context.output<float>(1) : nullptr;
    args.workspace = context.workspace;
    args.pool = context.pool;
    if (max_pool_) return max_pool_->run(*algorithm_, args);
    algorithm_->run(args);
    if (broadcast_residual_) add_broadcast_residual(context.input<float>(3), args.output, *context.pool);
  }

 private:
  // output = activation(output + residual broadcast to the output's shape).
  void add_broadcast_residual(const float* residual, float* output, ThreadPool& pool) const {
    const std::int64_t inner = output_shape_.back();
    std::int64_t rows = 1;
    for (std::size_t d = 0; d + 1 < output_shape_.size(); ++d) rows *= output_shape_[d];
    pool.parallel_for(rows, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t row = begin; row < end; ++row) {
        std::int64_t offset = 0, rest = row;
        for (std::size_t d = output_shape_.size() - 1; d-- > 0;) {
          offset += rest % output_shape_[d] * residual_strides_[d];
          rest /= output_shape_[d];
        }
        float* out = output + row * inner;
        for (std::int64_t j = 0; j < inner; ++j)
          out[j] = kernels::apply_activation(out[j] + residual[offset + j * residual_strides_.back()], activation_);
      }
    }, 16);
  }

  bool fused_ = false, blocked_ = false, nchw_input_ = false, input_scaled_ = false, pooled_ = false;
  reference::ConvParams params_;
  kernels::ActivationParams activation_;
  bool residual_ = false, broadcast_residual_ = false;
  std::vector<std::int64_t> residual_strides_;
  Shape output_shape_;
  std::unique_ptr<ConvAlgorithm> algorithm_;
  std::optional<reference::PoolParams> max_pool_params_;  // a folded MaxPool's, over the convolution's output
  std::optional<ConvMaxPool> max_pool_;
};

}  // namespace

void register_conv_ops(OpRegistry& registry) {
  registry.add("Conv", 1, 21, [](const Node&) { return std::make_unique<ConvOp>(ConvKind::Plain); });
  registry.add(OpRegistration{"com.onnxrun", "FusedConv", 1, 1, Provider::Cpu,
                              [](const Node&) { return std::make_unique<ConvOp>(ConvKind::Fused); }});
  registry.add(OpRegistration{"com.onnxrun", "NchwcConv", 1, 1, Provider::Cpu,
                              [](const Node&) { return std::make_unique<ConvOp>(ConvKind::FusedNchwc); }});
  register_conv_transpose_ops(registry);
}

}  // namespace onnxrun
