#include "runtime/api/input_binding.hpp"

#include <map>

namespace onnxrun {

namespace {

std::string input_names(const Graph& graph) {
  std::string names;
  for (const GraphInput& input : graph.inputs) names += (names.empty() ? "'" : ", '") + graph.values[input.value].name + "'";
  return names.empty() ? "(none)" : names;
}

std::string declared_shape(const GraphInput& input) {
  std::string text = "[";
  for (std::size_t d = 0; d < input.dims.size(); ++d) {
    if (d) text += ",";
    text += input.dims[d].value >= 0 ? std::to_string(input.dims[d].value)
                                     : (input.dims[d].symbol.empty() ? "?" : input.dims[d].symbol);
  }
  return text + "]";
}

}  // namespace

BoundInputs bind_inputs(const Graph& graph, const std::vector<NamedTensor>& provided) {
  BoundInputs bound;
  bound.tensors.assign(graph.inputs.size(), nullptr);
  bound.shapes.resize(graph.inputs.size());
  for (const NamedTensor& named : provided) {
    std::size_t index = graph.inputs.size();
    for (std::size_t i = 0; i < graph.inputs.size(); ++i)
      if (graph.values[graph.inputs[i].value].name == named.name) index = i;
    if (index == graph.inputs.size())
      throw Error("input '" + named.name + "' is not an input of the model; its inputs are " + input_names(graph));
    if (bound.tensors[index]) throw Error("input '" + named.name + "' is given twice");
    bound.tensors[index] = &named.tensor;
  }

  std::map<std::string, std::int64_t> symbols;
  for (std::size_t i = 0; i < graph.inputs.size(); ++i) {
    const GraphInput& input = graph.inputs[i];
    const std::string& name = graph.values[input.value].name;
    const Tensor* tensor = bound.tensors[i];
    if (!tensor) throw Error("input '" + name + "' is missing; the model's inputs are " + input_names(graph));
    // A default-constructed Tensor has rank 0 but no element: it would pass as
    // a scalar (or an input without a declared shape) and kernels would read null.
    if (tensor->empty()) throw Error("input '" + name + "' is an empty (default-constructed) tensor");
    if (tensor->data() == nullptr && tensor->element_count() > 0) throw Error("input '" + name + "' has no data");
    const DType expected = graph.values[input.value].dtype;
    if (tensor->dtype() != expected)
      throw Error("input '" + name + "' is " + dtype_name(tensor->dtype()) + " but the model expects " +
                  dtype_name(expected) + " (no implicit conversion)");
    const Shape& shape = tensor->shape();
    if (input.has_shape) {
      if (shape.size() != input.dims.size())
        throw Error("input '" + name + "' has shape " + shape_to_string(shape) + " but the model expects " +
                    declared_shape(input));
      for (std::size_t d = 0; d < shape.size(); ++d) {
        const DeclaredDim& dim = input.dims[d];
        if (dim.value >= 0 && dim.value != shape[d])
          throw Error("input '" + name + "' has shape " + shape_to_string(shape) + " but the model expects " +
                      declared_shape(input) + " (dim " + std::to_string(d) + ")");
        if (dim.value < 0 && !dim.symbol.empty()) {
          auto [it, inserted] = symbols.emplace(dim.symbol, shape[d]);
          if (!inserted && it->second != shape[d])
            throw Error("input '" + name + "' has " + dim.symbol + "=" + std::to_string(shape[d]) +
                        " (dim " + std::to_string(d) + ") but another input has " + dim.symbol + "=" +
                        std::to_string(it->second));
        }
      }
    }
    bound.shapes[i] = shape;
  }
  return bound;
}

bool provisional_input_shapes(const Graph& graph, std::vector<Shape>& shapes) {
  shapes.clear();
  for (const GraphInput& input : graph.inputs) {
    if (!input.has_shape) return false;
    Shape shape;
    for (const DeclaredDim& dim : input.dims) shape.push_back(dim.value >= 0 ? dim.value : 1);
    shapes.push_back(std::move(shape));
  }
  return true;
}

}  // namespace onnxrun
