#pragma once
// The shapes a graph's values take for given input shapes, as far as the ops'
// infer() tells them: no weights packed, nothing computed but what infer
// itself folds (Shape and the like). For graph passes that weigh a choice by
// the sizes of tensors (the NCHW8c layout pass); a value whose shape depends
// on computed values, or whose node does not infer, stays unknown.
#include <vector>

#include "runtime/exec/op.hpp"
#include "runtime/exec/op_registry.hpp"
#include "runtime/graph/graph.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

// What is known of every value before any node is inferred (by ValueId):
// constants with their tensors, graph input i with input_shapes[i];
// everything else not present. Plan starts from it too.
std::vector<ValueDesc> seed_value_descs(const Graph& graph, const std::vector<Shape>& input_shapes);

// The layout pass's ValueShapes (optimize.hpp): by ValueId, nullopt where not known.
ValueShapes infer_value_shapes(const Graph& graph, const OpRegistry& registry, const std::vector<Shape>& input_shapes);

}  // namespace onnxrun
