// Cast (opsets 6+) and CastLike (15+) between all onnxrun dtypes, with the
// conversions of convert_value (elementwise_common.hpp): truncation toward
// zero from float to integer, NaN to 0, saturation out of range. The
// 'saturate' attribute (19+) only concerns float8 types, which onnxrun lacks.
#include <array>

#include "ops/elementwise/elementwise_common.hpp"
#include "ops/register_ops.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

// Cast's 'to' holds an onnx.TensorProto.DataType code; the ops layer does not
// see protobuf, so the codes (stable since onnx.proto was published) are here.
DType dtype_from_onnx_code(std::int64_t code, const InferContext& context) {
  switch (code) {
    case 1: return DType::Float32;
    case 2: return DType::UInt8;
    case 6: return DType::Int32;
    case 7: return DType::Int64;
    case 9: return DType::Bool;
    case 11: return DType::Float64;
    default: break;
  }
  static const char* const names[] = {"UNDEFINED", "FLOAT",  "UINT8",      "INT8",      "UINT16",        "INT16",
                                      "INT32",     "INT64",  "STRING",     "BOOL",      "FLOAT16",       "DOUBLE",
                                      "UINT32",    "UINT64", "COMPLEX64",  "COMPLEX128", "BFLOAT16",     "FLOAT8E4M3FN",
                                      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4"};
  const std::string name = code >= 0 && code < static_cast<std::int64_t>(std::size(names))
                               ? names[code]
                               : "type code " + std::to_string(code);
  context.fail("cannot cast to " + name + ": onnxrun has no such dtype (it has " +
               dtype_set_names(kAllTypes) + ")");
}

using CastKernel = void (*)(const void* x, void* y, std::int64_t begin, std::int64_t end);

template <class From, class To> void cast_kernel(const void* x, void* y, std::int64_t begin, std::int64_t end) {
  const From* in = static_cast<const From*>(x);
  To* out = static_cast<To*>(y);
  for (std::int64_t i = begin; i < end; ++i) out[i] = convert_value<To>(in[i]);
}

using CastKernelTable = std::array<std::array<CastKernel, 6>, 6>;  // [from][to]

const CastKernelTable& cast_kernels() {
  static const CastKernelTable table = [] {
    CastKernelTable t{};
    for_each_dtype([&]<class From>() {
      for_each_dtype([&]<class To>() {
        t[static_cast<std::size_t>(dtype_of<From>())][static_cast<std::size_t>(dtype_of<To>())] =
            &cast_kernel<From, To>;
      });
    });
    return t;
  }();
  return table;
}

class CastOp final : public Op {
 public:
  explicit CastOp(bool like) : like_(like) {}

  void infer(InferContext& context) override {
    DType to;
    if (like_) {
      // CastLike: the target type is input 1's; its values are never read.
      context.require_input_count(2, 2);
      to = context.input(1).dtype;
    } else {
      context.require_input_count(1, 1);
      const std::int64_t code = context.attr_int("to", -1);
      if (code < 0) context.fail("the attribute 'to' is required");
      to = dtype_from_onnx_code(code, context);
    }
    const ValueDesc& x = context.input(0);
    kernel_ = cast_kernels()[static_cast<std::size_t>(x.dtype)][static_cast<std::size_t>(to)];
    count_ = checked_element_count(x.shape, context.node().describe());
    context.set_output(0, to, x.shape);
  }

  void run(const RunContext& context) const override {
    const void* x = context.inputs[0];
    void* y = context.outputs[0];
    const CastKernel kernel = kernel_;
    context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) { kernel(x, y, begin, end); },
                               kElementwiseChunk);
  }

 private:
  bool like_;
  CastKernel kernel_ = nullptr;
  std::int64_t count_ = 0;
};

}  // namespace

void register_cast_ops(OpRegistry& registry) {
  registry.add("Cast", 6, 21, [](const Node&) { return std::make_unique<CastOp>(false); });
  registry.add("CastLike", 15, 21, [](const Node&) { return std::make_unique<CastOp>(true); });
}

}  // namespace onnxrun
