// Textbook softmax attention in double precision, forward and analytic backward, for checking the
// CUDA kernels: plain loops over the full score matrix, nothing shared with the kernels' algorithm
// (no online softmax, no log-sum-exp reuse, delta taken as rowsum(P * dP) rather than rowsum(dO * O)).
//
// Layouts as in llmj_cuda.h: q, out, dout, dq (B, T, H, D); k, v, dk, dv (B, T, Hkv, D);
// lse (B, H, T). Query head h reads key/value head h / (H / Hkv).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace attention_reference {

struct Shape {
  int B, T, H, Hkv, D;
  bool causal;
  double scale;
  size_t q_index(int b, int t, int h, int d) const { return (((size_t)b * T + t) * H + h) * D + d; }
  size_t kv_index(int b, int t, int hk, int d) const { return (((size_t)b * T + t) * Hkv + hk) * D + d; }
  size_t lse_index(int b, int h, int t) const { return ((size_t)b * H + h) * T + t; }
  int kv_head(int h) const { return h / (H / Hkv); }
  bool visible(int query, int key) const { return !causal || key <= query; }
};

// Softmax probabilities P[i][j] of query head h in batch b (T x T, zero where masked), and the
// log-sum-exp of each row's scaled, visible scores.
inline void probabilities(const Shape& s, const std::vector<double>& q, const std::vector<double>& k, int b, int h,
                          std::vector<double>& p, std::vector<double>& row_lse) {
  const int T = s.T, hk = s.kv_head(h);
  p.assign((size_t)T * T, 0.0);
  row_lse.assign(T, 0.0);
  std::vector<double> score(T);
  for (int i = 0; i < T; i++) {
    double mx = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < T; j++) {
      if (!s.visible(i, j)) continue;
      double dot = 0;
      for (int d = 0; d < s.D; d++) dot += q[s.q_index(b, i, h, d)] * k[s.kv_index(b, j, hk, d)];
      score[j] = s.scale * dot;
      mx = std::max(mx, score[j]);
    }
    double sum = 0;
    for (int j = 0; j < T; j++)
      if (s.visible(i, j)) sum += std::exp(score[j] - mx);
    for (int j = 0; j < T; j++)
      if (s.visible(i, j)) p[(size_t)i * T + j] = std::exp(score[j] - mx) / sum;
    row_lse[i] = mx + std::log(sum);
  }
}

// out = softmax(scale * q k^T, masked) v, and lse.
inline void forward(const Shape& s, const std::vector<double>& q, const std::vector<double>& k,
                    const std::vector<double>& v, std::vector<double>& out, std::vector<double>& lse) {
  out.assign((size_t)s.B * s.T * s.H * s.D, 0.0);
  lse.assign((size_t)s.B * s.H * s.T, 0.0);
  std::vector<double> p, row_lse;
  for (int b = 0; b < s.B; b++)
    for (int h = 0; h < s.H; h++) {
      probabilities(s, q, k, b, h, p, row_lse);
      const int hk = s.kv_head(h);
      for (int i = 0; i < s.T; i++) {
        lse[s.lse_index(b, h, i)] = row_lse[i];
        for (int d = 0; d < s.D; d++) {
          double acc = 0;
          for (int j = 0; j < s.T; j++) acc += p[(size_t)i * s.T + j] * v[s.kv_index(b, j, hk, d)];
          out[s.q_index(b, i, h, d)] = acc;
        }
      }
    }
}

// Gradients of sum(out * dout): with S = scale q k^T and P = softmax(S),
// dv = P^T dout, dP = dout v^T, dS = P * (dP - rowsum(P * dP)), dq = scale dS k, dk = scale dS^T q.
// Key/value gradients add up over the query heads that share the key/value head.
inline void backward(const Shape& s, const std::vector<double>& q, const std::vector<double>& k,
                     const std::vector<double>& v, const std::vector<double>& dout, std::vector<double>& dq,
                     std::vector<double>& dk, std::vector<double>& dv) {
  const int T = s.T, D = s.D;
  dq.assign(q.size(), 0.0);
  dk.assign(k.size(), 0.0);
  dv.assign(v.size(), 0.0);
  std::vector<double> p, row_lse, dp((size_t)T * T), ds((size_t)T * T);
  for (int b = 0; b < s.B; b++)
    for (int h = 0; h < s.H; h++) {
      probabilities(s, q, k, b, h, p, row_lse);
      const int hk = s.kv_head(h);
      for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
          double acc = 0;
          for (int d = 0; d < D; d++) acc += dout[s.q_index(b, i, h, d)] * v[s.kv_index(b, j, hk, d)];
          dp[(size_t)i * T + j] = acc;
        }
      for (int i = 0; i < T; i++) {
        double row = 0;
        for (int j = 0; j < T; j++) row += p[(size_t)i * T + j] * dp[(size_t)i * T + j];
        for (int j = 0; j < T; j++) ds[(size_t)i * T + j] = p[(size_t)i * T + j] * (dp[(size_t)i * T + j] - row);
      }
      for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
          const double pij = p[(size_t)i * T + j], dsij = ds[(size_t)i * T + j];
          if (pij == 0 && dsij == 0) continue;
          for (int d = 0; d < D; d++) {
            dv[s.kv_index(b, j, hk, d)] += pij * dout[s.q_index(b, i, h, d)];
            dq[s.q_index(b, i, h, d)] += s.scale * dsij * k[s.kv_index(b, j, hk, d)];
            dk[s.kv_index(b, j, hk, d)] += s.scale * dsij * q[s.q_index(b, i, h, d)];
          }
        }
    }
}

}  // namespace attention_reference
