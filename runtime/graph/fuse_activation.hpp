#pragma once
// The activation half of every fusion pass: recognizes an activation node
// that a kernel epilogue can apply (kernels::Activation) and moves it into the
// node before it as the "activation", "activation_alpha", "activation_beta"
// attributes (see optimize.hpp).
#include "runtime/graph/graph_rewriter.hpp"

namespace onnxrun {

// When the only reader of node `producer`'s output 0 is a fusable activation
// (or its readers are the Sigmoid and Mul of x * sigmoid(x)),
// adds the activation's attributes to the producer, makes it write the
// activation's output and removes the activation node. False: nothing changed.
bool absorb_activation(GraphRewriter& rewriter, int producer);

// Attribute helpers for the fused nodes the passes build.
void set_string_attribute(Node& node, const std::string& name, const std::string& value);
void set_float_attribute(Node& node, const std::string& name, float value);

}  // namespace onnxrun
