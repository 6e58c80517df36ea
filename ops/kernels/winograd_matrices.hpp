#pragma once
// Transform matrices of Winograd's minimal filtering F(m x m, 3 x 3), alpha =
// m + 2 points:  Y = A^T [ (G g G^T) (.) (B^T d B) ] A.
//
// Derived by Cook-Toom (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015): with the evaluation matrix V_k (alpha x k, row j =
// powers of point j, the last row the point at infinity), A^T = V_m^T,
// G = V_3 and B^T = (V_alpha^-1)^T, then rows of B^T and columns of A^T scaled
// so that their entries are small and exact in binary (the inverse scales go
// into G, which is applied once to the weights, in double). Checked exactly
// with rational arithmetic; the tests check them again numerically.
//
// Points: F(2,3): 0, 1, -1, inf.   F(4,3): 0, -1, 1, 1/2, -2, inf: of the
// sets with 0, +-1 and two of +-2, +-1/2, +-3/2, +-3, +-1/3, +-2/3, +-4, +-1/4,
// the one with the smallest float error in a simulation of 2D tiles (mean
// relative error 1.2e-6 against 2.0e-6 for the usual 0, +-1, +-2; measured
// on whole layers, 2.5-3x less: conv_winograd.cpp).
// F(6,3): 0, 1, -1, 2, -2, 1/2, -1/2, inf: the reciprocal pair instead of
// +-3 keeps the entries (and so the rounding error) small: powers up to 2^5
// rather than 3^5.
//
// The SIMD kernels (winograd_impl.hpp) hard-code factored forms of the same
// matrices; these tables are the definition the scalar reference uses.
namespace onnxrun::kernels::winograd {

struct F2 {
  static constexpr int m = 2, alpha = 4;
  static constexpr double bt[alpha][alpha] = {
      {1, 0, -1, 0},
      {0, 1, 1, 0},
      {0, -1, 1, 0},
      {0, -1, 0, 1},
  };
  static constexpr double g[alpha][3] = {
      {1, 0, 0},
      {0.5, 0.5, 0.5},
      {0.5, -0.5, 0.5},
      {0, 0, 1},
  };
  static constexpr double at[m][alpha] = {
      {1, 1, 1, 0},
      {0, 1, -1, 1},
  };
};

struct F4 {
  static constexpr int m = 4, alpha = 6;
  static constexpr double bt[alpha][alpha] = {
      {1, -1.5, -2, 1.5, 1, 0},
      {0, 1, -2.5, 0.5, 1, 0},
      {0, -1, 0.5, 2.5, 1, 0},
      {0, -2, -1, 2, 1, 0},
      {0, 0.5, -1, -0.5, 1, 0},
      {0, 1, -1.5, -2, 1.5, 1},
  };
  static constexpr double g[alpha][3] = {
      {1, 0, 0},
      {-1.0 / 3, 1.0 / 3, -1.0 / 3},
      {1.0 / 3, 1.0 / 3, 1.0 / 3},
      {-16.0 / 15, -8.0 / 15, -4.0 / 15},
      {1.0 / 15, -2.0 / 15, 4.0 / 15},
      {0, 0, 1},
  };
  static constexpr double at[m][alpha] = {
      {1, 1, 1, 1, 1, 0},
      {0, -1, 1, 0.5, -2, 0},
      {0, 1, 1, 0.25, 4, 0},
      {0, -1, 1, 0.125, -8, 1},
  };
};

struct F6 {
  static constexpr int m = 6, alpha = 8;
  static constexpr double bt[alpha][alpha] = {
      {1, 0, -5.25, 0, 5.25, 0, -1, 0},
      {0, 1, 1, -4.25, -4.25, 1, 1, 0},
      {0, -1, 1, 4.25, -4.25, -1, 1, 0},
      {0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0},
      {0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0},
      {0, 2, 4, -2.5, -5, 0.5, 1, 0},
      {0, -2, 4, 2.5, -5, -0.5, 1, 0},
      {0, -1, 0, 5.25, 0, -5.25, 0, 1},
  };
  static constexpr double g[alpha][3] = {
      {1, 0, 0},
      {-2.0 / 9, -2.0 / 9, -2.0 / 9},
      {-2.0 / 9, 2.0 / 9, -2.0 / 9},
      {1.0 / 90, 1.0 / 45, 2.0 / 45},
      {1.0 / 90, -1.0 / 45, 2.0 / 45},
      {1.0 / 45, 1.0 / 90, 1.0 / 180},
      {1.0 / 45, -1.0 / 90, 1.0 / 180},
      {0, 0, 1},
  };
  static constexpr double at[m][alpha] = {
      {1, 1, 1, 1, 1, 32, 32, 0},
      {0, 1, -1, 2, -2, 16, -16, 0},
      {0, 1, 1, 4, 4, 8, 8, 0},
      {0, 1, -1, 8, -8, 4, -4, 0},
      {0, 1, 1, 16, 16, 2, 2, 0},
      {0, 1, -1, 32, -32, 1, -1, 1},
  };
};

}  // namespace onnxrun::kernels::winograd
