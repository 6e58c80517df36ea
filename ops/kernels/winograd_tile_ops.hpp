#pragma once
// The 1D Winograd transforms of F(2x2,3x3), F(4x4,3x3) and F(6x6,3x3) on
// xsimd batches, shared by the NCHW transforms (winograd_impl.hpp, a lane per
// tile) and the NCHW8c ones (winograd_nchwc_impl.hpp, a lane per channel).
// Included only by per-ISA kernel files.
#include "ops/kernels/simd_fma.hpp"

namespace onnxrun::kernels::winograd {

// The 1D transforms o = B^T d and y = A^T s in factored form (pairs of rows
// of B^T / columns of A^T that differ only in the sign of the odd terms share
// their even and odd partial sums). Same matrices as winograd_matrices.hpp.
struct F2Ops {
  static constexpr int m = 2, alpha = 4;
  template <class B>
  static void input(const B* d, B* o) {
    o[0] = d[0] - d[2];
    o[1] = d[1] + d[2];
    o[2] = d[2] - d[1];
    o[3] = d[3] - d[1];
  }
  template <class B>
  static void output(const B* s, B* y) {
    y[0] = s[0] + s[1] + s[2];
    y[1] = s[1] - s[2] + s[3];
  }
};

struct F4Ops {
  static constexpr int m = 4, alpha = 6;
  // Points 0, -1, 1, 1/2, -2 (winograd_matrices.hpp).
  template <class B>
  static void input(const B* d, B* o) {
    const B u = d[3] - d[1], v = d[4] - d[2];
    o[0] = fmadd(B(1.5f), u, fnmadd(B(2.0f), d[2], d[0] + d[4]));  // d0 - 1.5 d1 - 2 d2 + 1.5 d3 + d4
    o[1] = fnmadd(B(2.5f), d[2], fmadd(B(0.5f), d[3], d[1] + d[4]));  // d1 - 2.5 d2 + 0.5 d3 + d4
    o[2] = fmadd(B(0.5f), d[2], fmadd(B(2.5f), d[3], d[4] - d[1]));   // -d1 + 0.5 d2 + 2.5 d3 + d4
    o[3] = fmadd(B(2.0f), u, v);                                           // -2 d1 - d2 + 2 d3 + d4
    o[4] = fnmadd(B(0.5f), u, v);                                          // 0.5 d1 - d2 - 0.5 d3 + d4
    o[5] = fmadd(B(1.5f), v, fnmadd(B(2.0f), d[3], d[1] + d[5]));     // d1 - 1.5 d2 - 2 d3 + 1.5 d4 + d5
  }
  template <class B>
  static void output(const B* s, B* y) {
    const B a = s[1] + s[2], b = s[2] - s[1];
    y[0] = (s[0] + a) + (s[3] + s[4]);
    y[1] = fmadd(B(0.5f), s[3], fnmadd(B(2.0f), s[4], b));
    y[2] = fmadd(B(0.25f), s[3], fmadd(B(4.0f), s[4], a));
    y[3] = fmadd(B(0.125f), s[3], fnmadd(B(8.0f), s[4], b)) + s[5];
  }
};

struct F6Ops {
  static constexpr int m = 6, alpha = 8;
  template <class B>
  static void input(const B* d, B* o) {
    const B c525(5.25f), c425(4.25f), c25(2.5f), c125(1.25f);
    o[0] = fmadd(c525, d[4] - d[2], d[0] - d[6]);
    o[7] = fmadd(c525, d[3] - d[5], d[7] - d[1]);
    const B a = fnmadd(c425, d[4], d[2] + d[6]);  // d2 - 4.25 d4 + d6
    const B b = fnmadd(c425, d[3], d[1] + d[5]);  // d1 - 4.25 d3 + d5
    o[1] = a + b;
    o[2] = a - b;
    const B c = fnmadd(c125, d[4], fmadd(B(0.25f), d[2], d[6]));                // d2/4 - 1.25 d4 + d6
    const B e = fmadd(B(2.0f), d[5], fnmadd(c25, d[3], B(0.5f) * d[1]));        // d1/2 - 2.5 d3 + 2 d5
    o[3] = c + e;
    o[4] = c - e;
    const B f = fnmadd(B(5.0f), d[4], fmadd(B(4.0f), d[2], d[6]));              // 4 d2 - 5 d4 + d6
    const B h = fmadd(B(0.5f), d[5], fnmadd(c25, d[3], d[1] + d[1]));           // 2 d1 - 2.5 d3 + d5/2
    o[5] = f + h;
    o[6] = f - h;
  }
  template <class B>
  static void output(const B* s, B* y) {
    const B a1 = s[1] + s[2], b1 = s[1] - s[2];
    const B a2 = s[3] + s[4], b2 = s[3] - s[4];
    const B a3 = s[5] + s[6], b3 = s[5] - s[6];
    y[0] = fmadd(B(32.0f), a3, s[0] + a1 + a2);
    y[1] = fmadd(B(16.0f), b3, fmadd(B(2.0f), b2, b1));
    y[2] = fmadd(B(8.0f), a3, fmadd(B(4.0f), a2, a1));
    y[3] = fmadd(B(4.0f), b3, fmadd(B(8.0f), b2, b1));
    y[4] = fmadd(B(2.0f), a3, fmadd(B(16.0f), a2, a1));
    y[5] = fmadd(B(32.0f), b2, b1) + b3 + s[7];
  }
};

}  // namespace onnxrun::kernels::winograd
