// Where (opsets 9+): out = condition ? x : y, the three broadcast together
// (numpy rules), any dtype for x and y. Two passes over the output with the
// binary broadcast plan, one per branch: out = c ? x : 0, then out = c ? out : y.
#include "ops/elementwise/elementwise_common.hpp"
#include "ops/register_ops.hpp"

namespace onnxrun {

namespace {

class WhereOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(3, 3);
    const ValueDesc& c = context.input(0);
    const ValueDesc& x = context.input(1);
    const ValueDesc& y = context.input(2);
    if (c.dtype != DType::Bool)
      context.fail("the condition (input 0) is " + std::string(dtype_name(c.dtype)) + " " + shape_to_string(c.shape) +
                   ", expected bool");
    if (x.dtype != y.dtype)
      context.fail("inputs 1 and 2 have different types: " + std::string(dtype_name(x.dtype)) + " " +
                   shape_to_string(x.shape) + " and " + dtype_name(y.dtype) + " " + shape_to_string(y.shape));
    dtype_ = x.dtype;
    const Shape out = broadcast_shapes(context, broadcast_shapes(context, c.shape, x.shape), y.shape);
    take_x_ = BinaryBroadcastPlan::make(c.shape, x.shape, out);
    take_y_ = BinaryBroadcastPlan::make(c.shape, y.shape, out);
    context.set_output(0, dtype_, out);
  }

  void run(const RunContext& context) const override {
    visit_dtype(dtype_, [&]<class T>() {
      const bool* c = context.input<bool>(0);
      T* out = context.output<T>(0);
      broadcast_update(take_x_, c, context.input<T>(1), out, *context.pool,
                       [](T& o, bool take, T x) { o = take ? x : T{}; });
      broadcast_update(take_y_, c, context.input<T>(2), out, *context.pool,
                       [](T& o, bool take, T y) { o = take ? o : y; });
    });
  }

 private:
  DType dtype_ = DType::Float32;
  BinaryBroadcastPlan take_x_, take_y_;
};

}  // namespace

void register_where_op(OpRegistry& registry) {
  registry.add("Where", 9, 21, [](const Node&) { return std::make_unique<WhereOp>(); });
}

}  // namespace onnxrun
