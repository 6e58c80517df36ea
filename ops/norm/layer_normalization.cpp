// LayerNormalization (opset 17+): normalizes over dims [axis, rank) with the
// optional Mean and InvStdDev outputs; Scale and B broadcast unidirectionally
// to the normalized shape. stash_type 1 (float) only: its other value,
// bfloat16, is a type onnxrun lacks.
#include <algorithm>

#include "ops/common/broadcast.hpp"
#include "ops/norm/norm_ops.hpp"
#include "ops/reference/layer_normalization_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// How Scale or B is read: directly when it has the normalized shape, else
// expanded into the workspace by `strides` first.
struct Affine {
  bool present = false, expand = false;
  std::vector<std::int64_t> strides;  // over the normalized dims, 0 where broadcast
};

class LayerNormalizationOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 3);
    for (std::size_t i = 0; i < context.input_count(); ++i)
      if (context.has_input(i)) context.require_dtype(i, DType::Float32);
    context.require_min_rank(0, 1);
    const Shape& x = context.input(0).shape;
    const std::int64_t rank = static_cast<std::int64_t>(x.size());
    std::int64_t axis = context.attr_int("axis", -1);
    if (axis < -rank || axis >= rank)
      context.fail("axis " + std::to_string(axis) + " is outside [" + std::to_string(-rank) + ", " +
                   std::to_string(rank - 1) + "] for input 0 of shape " + shape_to_string(x));
    if (axis < 0) axis += rank;
    const std::int64_t stash_type = context.attr_int("stash_type", 1);
    if (stash_type != 1)
      context.fail("stash_type " + std::to_string(stash_type) + " is not supported; only 1 (float) is");
    epsilon_ = context.attr_float("epsilon", 1e-5f);

    normalized_.assign(x.begin() + axis, x.end());
    rows_ = 1, size_ = 1;
    for (std::int64_t d = 0; d < rank; ++d) (d < axis ? rows_ : size_) *= x[static_cast<std::size_t>(d)];
    scale_ = read_affine(context, 1, "Scale");
    bias_ = read_affine(context, 2, "B");

    context.set_output(0, DType::Float32, x);
    Shape statistics(x.begin(), x.begin() + axis);
    statistics.resize(x.size(), 1);
    for (std::size_t i = 1; i < 3; ++i)
      if (context.has_output(i)) context.set_output(i, DType::Float32, statistics);
  }

  void prepare(PrepareContext& context) override {
    const std::int64_t expanded = (scale_.expand ? size_ : 0) + (bias_.expand ? size_ : 0);
    context.request_workspace(static_cast<std::size_t>(expanded) * sizeof(float));
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* workspace = static_cast<float*>(context.workspace);
    // Expanded affines sit in the workspace, Scale first.
    const float* scale = read(scale_, context.input<float>(1), workspace);
    const float* bias =
        bias_.present ? read(bias_, context.input<float>(2), scale_.expand ? workspace + size_ : workspace) : nullptr;
    float* y = context.output<float>(0);
    float* mean = context.outputs.size() > 1 ? context.output<float>(1) : nullptr;
    float* inv_std_dev = context.outputs.size() > 2 ? context.output<float>(2) : nullptr;
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, size_));
    context.pool->parallel_for(rows_, [&](std::int64_t begin, std::int64_t end) {
      reference::layer_normalization_reference(x, scale, bias, y, mean, inv_std_dev, size_, epsilon_, begin, end);
    }, grain);
  }

 private:
  Affine read_affine(const InferContext& context, std::size_t index, const char* name) const {
    const Shape& normalized = normalized_;
    Affine affine;
    if (!context.has_input(index)) return affine;
    affine.present = true;
    Shape shape = context.input(index).shape;
    // Leading 1s do not change a unidirectional broadcast.
    while (shape.size() > normalized.size() && shape.front() == 1) shape.erase(shape.begin());
    bool fits = shape.size() <= normalized.size();
    for (std::size_t i = 0; fits && i < shape.size(); ++i) {
      const std::int64_t target = normalized[normalized.size() - shape.size() + i];
      fits = shape[i] == target || shape[i] == 1;
    }
    if (!fits)
      context.fail(std::string(name) + " (input " + std::to_string(index) + ") of shape " +
                   shape_to_string(context.input(index).shape) + " does not broadcast to the normalized shape " +
                   shape_to_string(normalized) + " of input 0 of shape " + shape_to_string(context.input(0).shape));
    std::int64_t volume = 1;
    for (std::int64_t dim : shape) volume *= dim;
    affine.expand = volume != size_;
    if (affine.expand) affine.strides = broadcast_strides(shape, normalized);
    return affine;
  }

  // The `size_` values of Scale or B in row-major order: the input itself,
  // or its broadcast written to `out`.
  const float* read(const Affine& affine, const float* data, float* out) const {
    if (!affine.expand) return data;
    for (std::int64_t i = 0; i < size_; ++i) {
      std::int64_t rest = i, offset = 0;
      for (std::size_t d = normalized_.size(); d-- > 0;) {
        offset += (rest % normalized_[d]) * affine.strides[d];
        rest /= normalized_[d];
      }
      out[i] = data[offset];
    }
    return out;
  }

  float epsilon_ = 1e-5f;
  std::int64_t rows_ = 0, size_ = 0;
  Shape normalized_;
  Affine scale_, bias_;
};

}  // namespace

void register_layer_normalization_ops(OpRegistry& registry) {
  registry.add("LayerNormalization", 17, 21, [](const Node&) { return std::make_unique<LayerNormalizationOp>(); });
}

}  // namespace onnxrun
