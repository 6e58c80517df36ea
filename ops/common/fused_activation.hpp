#pragma once
// The activation of a node that a graph pass fused (com.onnxrun FusedConv,
// FusedGemm), read from its "activation", "activation_alpha" and
// "activation_beta" attributes (runtime/graph/optimize.hpp describes them).
#include "ops/kernels/epilogue.hpp"
#include "runtime/exec/op.hpp"

namespace onnxrun {

// Activation::None when the node has no "activation"; fails (naming the node)
// on a name no kernel epilogue implements.
kernels::ActivationParams read_fused_activation(const InferContext& context);

}  // namespace onnxrun
