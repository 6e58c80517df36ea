#pragma once
// Matches the tensors a caller passes to Session::run against the model's
// declared inputs: names, dtypes, ranks, fixed dims, and one consistent value
// per symbolic dim (a symbol such as "batch" shared by two inputs must agree).
#include <vector>

#include "onnxrun/session.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun {

struct BoundInputs {
  std::vector<const Tensor*> tensors;  // in graph input order
  std::vector<Shape> shapes;
};

BoundInputs bind_inputs(const Graph& graph, const std::vector<NamedTensor>& provided);

// Shapes to plan with before any input is seen: symbolic dims taken as 1.
// Returns false when some input declares no shape at all.
bool provisional_input_shapes(const Graph& graph, std::vector<Shape>& shapes);

}  // namespace onnxrun
