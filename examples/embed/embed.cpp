// Embedding onnxrun in a C++ application: load once, run on caller memory.
//   build/embed_example examples/cifar_classifier/model.onnx
#include <onnxrun/onnxrun.hpp>

#include <iostream>
#include <vector>

int main(int argc, char** argv) try {
  if (argc < 2) return std::cerr << "usage: embed_example MODEL.onnx\n", 2;
  onnxrun::SessionOptions options;
  options.threads = 2;  // the calling thread and one worker
  onnxrun::Session session(argv[1], options);
  const onnxrun::ValueInfo& input = session.inputs().at(0);
  onnxrun::Shape shape = input.shape;
  int64_t count = 1;
  for (auto& dim : shape) count *= (dim = dim < 0 ? 1 : dim);  // a symbolic batch: run one image
  std::vector<float> pixels(static_cast<size_t>(count), 0.5f);
  auto outputs = session.run({{input.name, onnxrun::Tensor::view(onnxrun::DType::Float32, shape, pixels.data())}});
  const float* scores = outputs[0].tensor.data_as<float>();
  for (int64_t c = 0; c < outputs[0].tensor.shape()[1]; ++c) std::cout << "class " << c << ": " << scores[c] << "\n";
} catch (const onnxrun::Error& error) {
  std::cerr << "error: " << error.what() << "\n";
  return 1;
}
