#include "ops/conv/conv_gemm.hpp"

#include <algorithm>
#include <vector>

#include "ops/kernels/im2col_pack.hpp"
#include "ops/kernels/sgemm.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Output columns per packed B block: a K-block of 256 rows x 192 columns is
// 192 KiB, which stays in this class of machine's 512 KiB L2 while the A
// blocks stream past it.
constexpr std::int64_t kColumnBlock = 192;
// A 1x1 layer reads its input in place as B when its rows are at least this
// long: shorter rows (7x7 planes, 196 bytes) share cache lines between the
// panels' rows, and packing them first was 9% faster there; on longer rows
// skipping the packing pass gains up to 35% (ResNet-50, MobileNetV2 1x1
// layers).
constexpr std::int64_t kMinInPlaceRow = 128;
// Rows of 128 to 255 columns (13x13, 14x14 planes) are still packed when the
// weights have at least this many rows: every row block of A re-reads the B
// panels, and with this many the packing pass pays for itself. Per-layer
// minimum over alternating runs: SqueezeNet's 512>1000@13 classifier 1933 ->
// 1891 us (1941 -> 1883 in a second series); ResNet-50's 256>1024@14 layers
// within noise (-4% to +1.5% over two series); packing for fewer rows made
// SqueezeNet's 48- and 64-row squeezes 10-15% slower.
constexpr std::int64_t kPackShortRowsFromRows = 512;
constexpr std::int64_t kShortRow = 256;

// Multiply-adds of a layer whose threads pack its B together (ConvGemm::shared_b_).
constexpr std::int64_t kMinSharedPackMacs = std::int64_t{1} << 24;

// Row blocks are split only to give idle threads work; below this many rows
// per block the repeated packing of B costs more than the idle thread gains.
constexpr std::int64_t kMinRowBlock = 24;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Rows per block of the weights. Rows are split only when images x groups x
// column blocks (`tasks`) cannot keep every thread equally busy: too few
// tasks, or a count that does not divide evenly (5 column blocks of a 28x28
// layer on 2 threads run 3:2, as 10 half-height tasks they run 5:5). Of the
// splits into blocks of at least kMinRowBlock rows, the one whose busiest
// thread has the fewest rows to compute, the fewest blocks on a tie: 64 rows
// of one 13x13 column block on 2 threads go 36 + 28, not 24 + 24 + 16 (one
// thread 40 rows, the other 24).
std::int64_t choose_row_block(std::int64_t rows, std::int64_t tasks, std::int64_t threads) {
  const std::int64_t whole = std::max<std::int64_t>(kernels::kSgemmMr, ceil_div(rows, kernels::kSgemmMr) * kernels::kSgemmMr);
  if (tasks <= 0 || tasks % threads == 0 || tasks >= 4 * threads) return whole;
  std::int64_t best = whole, best_load = ceil_div(tasks, threads) * whole;
  const std::int64_t most = std::min(ceil_div(4 * threads, tasks), ceil_div(rows, kMinRowBlock));
  for (std::int64_t wanted = 2; wanted <= most; ++wanted) {
    const std::int64_t block = ceil_div(ceil_div(rows, wanted), kernels::kSgemmMr) * kernels::kSgemmMr;
    const std::int64_t load = ceil_div(tasks * ceil_div(rows, block), threads) * block;
    if (load < best_load) {
      best = block;
      best_load = load;
    }
  }
  return best;
}

class ConvGemm final : public ConvAlgorithm {
 public:
  explicit ConvGemm(const ConvSetup& setup) : p_(setup.params), activation_(setup.activation) {
    groups_ = p_.groups;
    rows_ = p_.out_channels / groups_;
    const std::int64_t taps = p_.kernel[0] * p_.kernel[1] * p_.kernel[2];
    depth_ = p_.in_channels / groups_ * taps;
    columns_ = p_.out[0] * p_.out[1] * p_.out[2];
    pointwise_ = taps == 1;
    for (int d = 0; d < 3; ++d)
      pointwise_ = pointwise_ && p_.stride[d] == 1 && p_.pad[d] == 0 && p_.out[d] == p_.in[d];
    in_place_b_ = pointwise_ && columns_ >= kMinInPlaceRow && (columns_ >= kShortRow || rows_ < kPackShortRowsFromRows);
    nr_ = kernels::sgemm_nr();
    // Blocks of equal size (to a panel): 196 columns as 192 + 4 would leave
    // one of two threads nearly idle. On several threads, up to two blocks'
    // worth of columns stay one block, whose rows the threads split: 196
    // columns as 128 + 68 (7 panels) ran one thread 1.9x the other's work.
    std::int64_t column_blocks = std::max<std::int64_t>(1, ceil_div(columns_, std::max(nr_, kColumnBlock)));
    if (setup.threads > 1 && columns_ <= 2 * kColumnBlock) column_blocks = 1;
    column_block_ = std::max<std::int64_t>(nr_, ceil_div(ceil_div(columns_, column_blocks), nr_) * nr_);

    const std::int64_t tasks = p_.batch * groups_ * ceil_div(columns_, column_block_);
    row_block_ = choose_row_block(rows_, tasks, std::max(1, setup.threads));
    row_blocks_ = ceil_div(rows_, row_block_);
    threads_ = std::max(1, setup.threads);
    // Row blocks of one packed B on several threads: each thread packed the
    // whole B for its rows, so packing ran as often as there were threads
    // (ResNet-50's 3x3 stride-2 layer onto 256x14x14: 1.90 ms on 1 thread,
    // 1.17 on 2). Instead the threads pack it together, then multiply (1.05
    // ms): where B is one block (a single image and group, columns_ <= 384)
    // of at least a K block per thread, and the layer is large enough to
    // repay a second parallel_for (GoogLeNet's 7x7 layers of 2M multiply-adds
    // went 0.03 -> 0.04 ms). With several column blocks the two phases per
    // block cost more than they saved (ResNet-50's 28x28 stride-2 layers 0.75
    // -> 0.86 and 1.03 -> 1.14 ms).
    shared_b_ = !in_place_b_ && threads_ > 1 && row_blocks_ > 1 && tasks == 1 &&
                ceil_div(depth_, kernels::kSgemmKc) >= threads_ && rows_ * columns_ * depth_ >= kMinSharedPackMacs;

    // Weights: one packed A per (group, row block).
    for (std::int64_t g = 0; g < groups_; ++g)
      for (std::int64_t rb = 0; rb < row_blocks_; ++rb) {
        const std::int64_t m0 = rb * row_block_, m = std::min(row_block_, rows_ - m0);
        LargeVector<float> packed(kernels::sgemm_packed_a_floats(m, depth_));
        kernels::sgemm_pack_a(setup.weight + (g * rows_ + m0) * depth_, depth_, 1, m, depth_, packed.data());
        packed_weights_.push_back(std::move(packed));
      }

    geometry_.channels = p_.in_channels / groups_;
    for (int d = 0; d < 3; ++d) {
      geometry_.in[d] = p_.in[d];
      geometry_.out[d] = p_.out[d];
      geometry_.kernel[d] = p_.kernel[d];
      geometry_.stride[d] = p_.stride[d];
      geometry_.pad[d] = p_.pad[d];
      geometry_.dilation[d] = p_.dilation[d];
    }
  }

  std::string name() const override { return pointwise_ ? "gemm_1x1" : "im2col_gemm"; }

  // Each task's SGEMM adds its products to the residual in place
  // (sgemm.hpp); tasks write disjoint parts of the output.
  bool residual_may_be_output() const override { return true; }

  std::size_t workspace_bytes() const override {
    return in_place_b_ ? 0 : static_cast<std::size_t>(threads_) * slot_floats() * sizeof(float);
  }

  void run(const ConvRunArgs& args) const override {
    if (shared_b_) return run_shared_b(args);
    const std::int64_t tasks = column_tasks() * row_blocks_;
    const std::int64_t slots = std::min<std::int64_t>(threads_, tasks);
    if (slots == 0) return;  // an empty batch or output
    // One body per slot, each with its own packing buffer and a static share of tasks.
    args.pool->parallel_for(slots, [&](std::int64_t slot_begin, std::int64_t slot_end) {
      float* packed_b = in_place_b_ ? nullptr : static_cast<float*>(args.workspace) + slot_begin * slot_floats();
      const std::int64_t task_begin = tasks * slot_begin / slots, task_end = tasks * slot_end / slots;
      std::int64_t packed_for = -1;  // the column task packed_b holds
      for (std::int64_t task = task_begin; task < task_end; ++task) {
        const std::int64_t columns_task = task / row_blocks_;
        const ColumnBlock block = column_block(args, columns_task);
        if (!in_place_b_ && packed_for != columns_task) {
          pack(block, packed_b, 0, depth_);
          packed_for = columns_task;
        }
        multiply(args, block, task % row_blocks_, packed_b);
      }
    }, 1);
  }

 private:
  // A column task: image n, group g, columns [col0, col0 + cols) of C; B's
  // rows are read from `image` (the image's input channels of the group).
  struct ColumnBlock {
    std::int64_t n = 0, g = 0, col0 = 0, cols = 0;
    const float* image = nullptr;
  };
  std::int64_t column_blocks() const { return ceil_div(columns_, column_block_); }
  std::int64_t column_tasks() const { return p_.batch * groups_ * column_blocks(); }
  ColumnBlock column_block(const ConvRunArgs& args, std::int64_t columns_task) const {
    ColumnBlock b;
    b.g = columns_task / column_blocks() % groups_;
    b.n = columns_task / column_blocks() / groups_;
    b.col0 = columns_task % column_blocks() * column_block_;
    b.cols = std::min(column_block_, columns_ - b.col0);
    b.image = args.input + (b.n * p_.in_channels + b.g * geometry_.channels) * input_plane();
    return b;
  }

  // run() with shared_b_: per column task, the threads pack B's K blocks,
  // then multiply their row blocks.
  void run_shared_b(const ConvRunArgs& args) const {
    const std::int64_t k_blocks = ceil_div(depth_, kernels::kSgemmKc);
    float* packed_b = static_cast<float*>(args.workspace);
    for (std::int64_t columns_task = 0; columns_task < column_tasks(); ++columns_task) {
      const ColumnBlock block = column_block(args, columns_task);
      args.pool->parallel_for(k_blocks, [&](std::int64_t kb_begin, std::int64_t kb_end) {
        pack(block, packed_b, kb_begin * kernels::kSgemmKc, std::min(depth_, kb_end * kernels::kSgemmKc));
      }, 1);
      args.pool->parallel_for(row_blocks_, [&](std::int64_t rb_begin, std::int64_t rb_end) {
        for (std::int64_t rb = rb_begin; rb < rb_end; ++rb) multiply(args, block, rb, packed_b);
      }, 1);
    }
  }

  // Packs rows [k0, k1) of the block's B (k0 a multiple of kSgemmKc, k1 one
  // or depth_) into their place in packed_b.
  void pack(const ColumnBlock& b, float* packed_b, std::int64_t k0, std::int64_t k1) const {
    if (pointwise_)
      kernels::sgemm_pack_b(b.image + b.col0 + k0 * input_plane(), input_plane(), 1, k1 - k0, b.cols,
                            packed_b + k0 * ceil_div(b.cols, nr_) * nr_);
    else
      kernels::im2col_pack_b(b.image, geometry_, b.col0, b.cols, packed_b, k0, k1);
  }

  // C's rows of row block rb at the block's columns: B read in place from
  // the block's image, or from packed_b.
  void multiply(const ConvRunArgs& args, const ColumnBlock& b, std::int64_t rb, const float* packed_b) const {
    const std::int64_t n = b.n, g = b.g, col0 = b.col0, cols = b.cols;
    const float* image = b.image;
    const std::int64_t m0 = rb * row_block_, m = std::min(row_block_, rows_ - m0);
    const std::int64_t out_offset = (n * p_.out_channels + g * rows_ + m0) * columns_ + col0;
    kernels::Epilogue epilogue;
    epilogue.row_bias = args.bias ? args.bias + g * rows_ + m0 : nullptr;
    epilogue.residual = args.residual ? args.residual + out_offset : nullptr;
    epilogue.activation = activation_;
    const float* weights = packed_weights_[g * row_blocks_ + rb].data();
    float* out = args.output + out_offset;
    // A 1x1 layer's input is B as it is: its rows are read in place.
    if (in_place_b_)
      kernels::sgemm_rows_b(m, cols, depth_, weights, image + col0, input_plane(), out, columns_, epilogue, 0,
                            ceil_div(cols, nr_));
    else
      kernels::sgemm_packed(m, cols, depth_, weights, packed_b, out, columns_, epilogue, 0, ceil_div(cols, nr_));
  }

  std::int64_t input_plane() const { return p_.in[0] * p_.in[1] * p_.in[2]; }
  std::size_t slot_floats() const {
    // Rounded to 64 bytes so every slot's buffer stays aligned.
    return (kernels::sgemm_packed_b_floats(depth_, column_block_) + 15) / 16 * 16;
  }

  reference::ConvParams p_;
  kernels::ActivationParams activation_;
  kernels::Im2colGeometry geometry_;
  std::int64_t groups_ = 1, rows_ = 0, depth_ = 0, columns_ = 0;
  std::int64_t row_block_ = 0, row_blocks_ = 1, column_block_ = 0, nr_ = 0;
  int threads_ = 1;
  bool pointwise_ = false, in_place_b_ = false, shared_b_ = false;
  std::vector<LargeVector<float>> packed_weights_;
};

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_gemm(const ConvSetup& setup) { return std::make_unique<ConvGemm>(setup); }

}  // namespace onnxrun
