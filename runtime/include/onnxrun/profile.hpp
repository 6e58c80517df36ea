#pragma once
// Per-op timings of one run: what Session::run(inputs, profile) fills in, and
// what `onnxrun --profile` turns into a Chrome trace and a per-layer table.
#include <cstdint>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"

namespace onnxrun {

// One executed step of the plan (a node; constant-folded nodes never run and
// are not listed).
struct OpProfile {
  std::string node;       // the node's name (may be empty in hand-made models)
  std::string op_type;    // "Conv", "Relu", ...
  std::string algorithm;  // what the op chose at load ("im2col_gemm", ...), or ""
  std::vector<Shape> input_shapes;   // the inputs present, in order (omitted optional ones left out)
  std::vector<Shape> output_shapes;  // the outputs the model uses, in order
  // Floating-point operations, 2 x multiply-adds, for Conv, ConvTranspose,
  // Gemm and MatMul (direct-convolution count whatever the algorithm); 0 for
  // other ops.
  std::int64_t flops = 0;
  double start_us = 0;     // from the start of the run
  double duration_us = 0;  // wall time of the step, threads included
};

struct RunProfile {
  std::vector<OpProfile> ops;  // in execution order
  double total_us = 0;         // the whole run: binding, planning lookup, all steps, output copies
};

}  // namespace onnxrun
