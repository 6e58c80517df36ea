// Gemm -> activation becomes one com.onnxrun.FusedGemm: the classifier heads of
// CNNs (Linear -> ReLU) apply the activation in the SGEMM's last store.
#include "runtime/graph/fuse_activation.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

int fuse_gemm_activation(Graph& graph) {
  GraphRewriter rewriter(graph);
  int count = 0;
  for (int n = 0; n < rewriter.node_count(); ++n) {
    Node& node = rewriter.node(n);
    // Gemm before opset 7 broadcast C by its own rules, which FusedGemm does not follow.
    if (rewriter.removed(n) || !(node.domain.empty() || node.domain == "ai.onnx") || node.op_type != "Gemm" ||
        node.opset < 7 || node.outputs.size() != 1)
      continue;
    if (!absorb_activation(rewriter, n)) continue;
    node.domain = kOnnxrunDomain;
    node.op_type = "FusedGemm";
    node.opset = 1;
    ++count;
  }
  rewriter.compact();
  return count;
}

}  // namespace onnxrun
