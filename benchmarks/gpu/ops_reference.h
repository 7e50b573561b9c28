// Double-precision references for the memory-bound kernels and the GEMM: plain loops and the
// textbook formulas, written without looking at the kernels' algebra (backward passes follow the
// chain rule step by step). Plain C++ so ops_reference_test.cpp can check them on any host.
//
// Layouts match llmj_cuda.h: row-major (N, C) / (N, V); op(A) (M, K), op(B) (K, N).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ref {

using Vec = std::vector<double>;

// losses (N); dlogits (N, V) = dloss * (softmax - onehot), zero rows for ignored targets.
inline void softmax_xent(const Vec& logits, const std::vector<int32_t>& targets, double dloss, int ignore_index, int N,
                         int V, Vec& losses, Vec& dlogits) {
  losses.assign(N, 0.0);
  dlogits.assign((size_t)N * V, 0.0);
  for (int n = 0; n < N; n++) {
    if (targets[n] == ignore_index) continue;
    const double* x = &logits[(size_t)n * V];
    double mx = x[0];
    for (int i = 1; i < V; i++) mx = std::max(mx, x[i]);
    double sum = 0;
    for (int i = 0; i < V; i++) sum += std::exp(x[i] - mx);
    losses[n] = -(x[targets[n]] - mx - std::log(sum));
    for (int i = 0; i < V; i++)
      dlogits[(size_t)n * V + i] = dloss * (std::exp(x[i] - mx) / sum - (i == targets[n] ? 1.0 : 0.0));
  }
}

// bias may be empty. mean and rstd (N) are those of the biased variance.
inline void layernorm_forward(const Vec& inp, const Vec& weight, const Vec& bias, int N, int C, double eps, Vec& out,
                              Vec& mean, Vec& rstd) {
  out.assign((size_t)N * C, 0.0);
  mean.assign(N, 0.0);
  rstd.assign(N, 0.0);
  for (int n = 0; n < N; n++) {
    const double* x = &inp[(size_t)n * C];
    double mu = 0, var = 0;
    for (int c = 0; c < C; c++) mu += x[c];
    mu /= C;
    for (int c = 0; c < C; c++) var += (x[c] - mu) * (x[c] - mu);
    var /= C;
    mean[n] = mu;
    rstd[n] = 1.0 / std::sqrt(var + eps);
    for (int c = 0; c < C; c++)
      out[(size_t)n * C + c] = (x[c] - mu) * rstd[n] * weight[c] + (bias.empty() ? 0.0 : bias[c]);
  }
}

// Chain rule through y = (x - mu) / sqrt(var + eps) * w + b, via dvar and dmu. dweight and dbias
// are added to (accumulated, like the kernels).
inline void layernorm_backward(const Vec& dout, const Vec& inp, const Vec& weight, int N, int C, double eps, Vec& dinp,
                               Vec& dweight, Vec& dbias) {
  dinp.assign((size_t)N * C, 0.0);
  for (int n = 0; n < N; n++) {
    const double* x = &inp[(size_t)n * C];
    const double* dy = &dout[(size_t)n * C];
    double mu = 0, var = 0;
    for (int c = 0; c < C; c++) mu += x[c];
    mu /= C;
    for (int c = 0; c < C; c++) var += (x[c] - mu) * (x[c] - mu);
    var /= C;
    const double sd = std::sqrt(var + eps);
    double dvar = 0, dmu = 0, sum_centred = 0;
    for (int c = 0; c < C; c++) {
      const double dxhat = dy[c] * weight[c];
      dvar += dxhat * (x[c] - mu) * -0.5 * std::pow(var + eps, -1.5);
      dmu += -dxhat / sd;
      sum_centred += -2.0 * (x[c] - mu);
      dweight[c] += dy[c] * (x[c] - mu) / sd;
      dbias[c] += dy[c];
    }
    dmu += dvar * sum_centred / C;
    for (int c = 0; c < C; c++)
      dinp[(size_t)n * C + c] = dy[c] * weight[c] / sd + dvar * 2.0 * (x[c] - mu) / C + dmu / C;
  }
}

inline void rmsnorm_forward(const Vec& inp, const Vec& weight, int N, int C, double eps, Vec& out, Vec& rstd) {
  out.assign((size_t)N * C, 0.0);
  rstd.assign(N, 0.0);
  for (int n = 0; n < N; n++) {
    double ms = 0;
    for (int c = 0; c < C; c++) ms += inp[(size_t)n * C + c] * inp[(size_t)n * C + c];
    rstd[n] = 1.0 / std::sqrt(ms / C + eps);
    for (int c = 0; c < C; c++) out[(size_t)n * C + c] = inp[(size_t)n * C + c] * rstd[n] * weight[c];
  }
}

// y_c = w_c x_c / r with r = sqrt(mean(x^2) + eps): dy/dx_k = w_k / r delta_ck - w_c x_c x_k / (C r^3).
inline void rmsnorm_backward(const Vec& dout, const Vec& inp, const Vec& weight, int N, int C, double eps, Vec& dinp,
                             Vec& dweight) {
  dinp.assign((size_t)N * C, 0.0);
  for (int n = 0; n < N; n++) {
    const double* x = &inp[(size_t)n * C];
    const double* dy = &dout[(size_t)n * C];
    double ms = 0;
    for (int c = 0; c < C; c++) ms += x[c] * x[c];
    const double r = std::sqrt(ms / C + eps);
    double dot = 0;  // sum_c dy_c w_c x_c
    for (int c = 0; c < C; c++) {
      dot += dy[c] * weight[c] * x[c];
      dweight[c] += dy[c] * x[c] / r;
    }
    for (int k = 0; k < C; k++) dinp[(size_t)n * C + k] = dy[k] * weight[k] / r - x[k] * dot / (C * r * r * r);
  }
}

inline double gelu(double x) {
  const double k = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}
inline double gelu_grad(double x) {
  const double k = std::sqrt(2.0 / M_PI);
  const double u = k * (x + 0.044715 * x * x * x);
  const double sech2 = 1.0 / (std::cosh(u) * std::cosh(u));
  return 0.5 * (1.0 + std::tanh(u)) + 0.5 * x * sech2 * k * (1.0 + 3.0 * 0.044715 * x * x);
}

// bias may be empty.
inline void bias_gelu_forward(const Vec& inp, const Vec& bias, int N, int C, Vec& out) {
  out.assign((size_t)N * C, 0.0);
  for (size_t i = 0; i < (size_t)N * C; i++) out[i] = gelu(inp[i] + (bias.empty() ? 0.0 : bias[i % C]));
}
inline void bias_gelu_backward(const Vec& dout, const Vec& inp, const Vec& bias, int N, int C, Vec& dinp,
                               Vec& dbias) {
  dinp.assign((size_t)N * C, 0.0);
  for (size_t i = 0; i < (size_t)N * C; i++) {
    dinp[i] = dout[i] * gelu_grad(inp[i] + (bias.empty() ? 0.0 : bias[i % C]));
    dbias[i % C] += dinp[i];
  }
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline void swiglu_forward(const Vec& gate, const Vec& up, Vec& out) {
  out.assign(gate.size(), 0.0);
  for (size_t i = 0; i < gate.size(); i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}
inline void swiglu_backward(const Vec& dout, const Vec& gate, const Vec& up, Vec& dgate, Vec& dup) {
  dgate.assign(gate.size(), 0.0);
  dup.assign(gate.size(), 0.0);
  for (size_t i = 0; i < gate.size(); i++) {
    const double s = sigmoid(gate[i]);
    dup[i] = dout[i] * gate[i] * s;
    dgate[i] = dout[i] * up[i] * (s + gate[i] * s * (1.0 - s));
  }
}

// One AdamW step in place (decay_mask empty: decay everything).
inline void adamw(Vec& p, const Vec& g, Vec& m, Vec& v, const std::vector<uint8_t>& decay_mask, double lr,
                  double beta1, double beta2, double eps, double weight_decay, double grad_scale, int step) {
  for (size_t i = 0; i < p.size(); i++) {
    const double gi = g[i] * grad_scale;
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    const double mhat = m[i] / (1 - std::pow(beta1, step));
    const double vhat = v[i] / (1 - std::pow(beta2, step));
    const bool decay = decay_mask.empty() || decay_mask[i] != 0;
    p[i] = p[i] - lr * (decay ? weight_decay * p[i] : 0.0) - lr * mhat / (std::sqrt(vhat) + eps);
  }
}

// Element (i, j) of op(A) op(B): A stored (M, K) or, with trans_a, (K, M); B stored (K, N) or,
// with trans_b, (N, K).
inline double dot(bool trans_a, bool trans_b, int i, int j, int K, const Vec& A, int lda, const Vec& B, int ldb) {
  double s = 0;
  for (int k = 0; k < K; k++) {
    const double a = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
    const double b = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
    s += a * b;
  }
  return s;
}

// epilogue 0 none, 1 bias, 2 bias then GELU: C = epi(alpha AB + beta C_old + bias).
inline double gemm_element(double ab, double alpha, double beta, double c_old, const Vec& bias, int j, int epilogue) {
  double v = alpha * ab + (beta != 0 ? beta * c_old : 0.0);
  if (epilogue >= 1) v += bias[j];
  if (epilogue == 2) v = gelu(v);
  return v;
}

inline void gemm(bool trans_a, bool trans_b, int M, int N, int K, double alpha, const Vec& A, int lda, const Vec& B,
                 int ldb, double beta, Vec& C, int ldc, const Vec& bias, int epilogue) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double& c = C[(size_t)i * ldc + j];
      c = gemm_element(dot(trans_a, trans_b, i, j, K, A, lda, B, ldb), alpha, beta, c, bias, j, epilogue);
    }
}

}  // namespace ref
