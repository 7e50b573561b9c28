// Host test of ops_reference.h: every backward against central finite differences of its forward,
// hand-computed cases for softmax cross-entropy, GELU, AdamW and GEMM, and GEMM's transposed
// layouts against explicitly transposed copies. Prints the worst difference of each check.
//   g++ -std=c++17 -O2 -Wall -o /tmp/ops_reference_test benchmarks/gpu/ops_reference_test.cpp && /tmp/ops_reference_test
// Seed: fixed (1234); pass another as the first argument to vary the inputs.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "ops_reference.h"

namespace {

int failures = 0;

void expect(const char* what, double worst, double bound) {
  const bool ok = worst <= bound;
  std::printf("%-52s worst %.3e (< %.0e) %s\n", what, worst, bound, ok ? "PASS" : "FAIL");
  if (!ok) failures++;
}

ref::Vec randn(size_t n, std::mt19937_64& rng, double sd = 1.0) {
  std::normal_distribution<double> d(0.0, sd);
  ref::Vec x(n);
  for (auto& e : x) e = d(rng);
  return x;
}

// Worst |analytic - numeric| / max(1, |numeric|) over every element of x, where numeric is the
// central difference of loss() with respect to x[i].
double fd_worst(ref::Vec& x, const ref::Vec& analytic, const std::function<double()>& loss) {
  const double h = 1e-5;
  double worst = 0;
  for (size_t i = 0; i < x.size(); i++) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = loss();
    x[i] = keep - h;
    const double down = loss();
    x[i] = keep;
    const double numeric = (up - down) / (2 * h);
    worst = std::max(worst, std::fabs(analytic[i] - numeric) / std::max(1.0, std::fabs(numeric)));
  }
  return worst;
}

double weighted_sum(const ref::Vec& w, const ref::Vec& y) {
  double s = 0;
  for (size_t i = 0; i < y.size(); i++) s += w[i] * y[i];
  return s;
}

double max_diff(const ref::Vec& a, const ref::Vec& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); i++) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t seed = argc > 1 ? std::stoull(argv[1]) : 1234;
  std::printf("ops_reference_test seed %llu (rerun: ops_reference_test %llu)\n", (unsigned long long)seed,
              (unsigned long long)seed);
  std::mt19937_64 rng(seed);
  const double fd_bound = 1e-7;

  {  // softmax cross-entropy
    const int N = 3, V = 7, ignore = -100;
    ref::Vec logits = randn((size_t)N * V, rng, 2.0), losses, dlogits;
    std::vector<int32_t> targets = {4, ignore, 0};
    const double dloss = 0.37;
    ref::softmax_xent(logits, targets, dloss, ignore, N, V, losses, dlogits);
    auto loss = [&] {
      ref::Vec l, d;
      ref::softmax_xent(logits, targets, dloss, ignore, N, V, l, d);
      return dloss * (l[0] + l[1] + l[2]);
    };
    expect("softmax_xent dlogits vs finite differences", fd_worst(logits, dlogits, loss), fd_bound);
    ref::Vec hand_logits = {0, 0, 0, 1000, 1000, 1000}, hl, hd;
    ref::softmax_xent(hand_logits, {1, 2}, 1.0, ignore, 2, 3, hl, hd);
    expect("softmax_xent hand case (uniform rows: log 3, 1/3 - onehot)",
           std::max({std::fabs(hl[0] - std::log(3.0)), std::fabs(hl[1] - std::log(3.0)),
                     max_diff(hd, {1.0 / 3, -2.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, -2.0 / 3})}),
           1e-12);
  }
  {  // LayerNorm
    const int N = 3, C = 11;
    const double eps = 1e-5;
    ref::Vec x = randn((size_t)N * C, rng), w = randn(C, rng), b = randn(C, rng), dy = randn((size_t)N * C, rng);
    for (auto& e : x) e += 3.0;  // a mean far from zero
    ref::Vec dx, dw(C, 0.0), db(C, 0.0);
    ref::layernorm_backward(dy, x, w, N, C, eps, dx, dw, db);
    auto loss = [&] {
      ref::Vec y, mu, rs;
      ref::layernorm_forward(x, w, b, N, C, eps, y, mu, rs);
      return weighted_sum(dy, y);
    };
    expect("layernorm dinp vs finite differences", fd_worst(x, dx, loss), fd_bound);
    expect("layernorm dweight vs finite differences", fd_worst(w, dw, loss), fd_bound);
    expect("layernorm dbias vs finite differences", fd_worst(b, db, loss), fd_bound);
    ref::Vec y, mu, rs;
    ref::layernorm_forward({1, 2, 3, 4}, {1, 1, 1, 1}, {}, 1, 4, 0.0, y, mu, rs);
    const double s = std::sqrt(1.25);
    expect("layernorm hand case (1 2 3 4)", std::max(std::fabs(mu[0] - 2.5), max_diff(y, {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s})), 1e-12);
  }
  {  // RMSNorm
    const int N = 3, C = 13;
    const double eps = 1e-6;
    ref::Vec x = randn((size_t)N * C, rng), w = randn(C, rng), dy = randn((size_t)N * C, rng);
    ref::Vec dx, dw(C, 0.0);
    ref::rmsnorm_backward(dy, x, w, N, C, eps, dx, dw);
    auto loss = [&] {
      ref::Vec y, rs;
      ref::rmsnorm_forward(x, w, N, C, eps, y, rs);
      return weighted_sum(dy, y);
    };
    expect("rmsnorm dinp vs finite differences", fd_worst(x, dx, loss), fd_bound);
    expect("rmsnorm dweight vs finite differences", fd_worst(w, dw, loss), fd_bound);
    ref::Vec y, rs;
    ref::rmsnorm_forward({3, 4}, {1, 2}, 1, 2, 0.0, y, rs);  // rms = sqrt(12.5)
    expect("rmsnorm hand case (3 4)", max_diff(y, {3 / std::sqrt(12.5), 8 / std::sqrt(12.5)}), 1e-12);
  }
  {  // bias + GELU
    const int N = 4, C = 9;
    ref::Vec x = randn((size_t)N * C, rng, 2.0), b = randn(C, rng), dy = randn((size_t)N * C, rng);
    ref::Vec dx, db(C, 0.0);
    ref::bias_gelu_backward(dy, x, b, N, C, dx, db);
    auto loss = [&] {
      ref::Vec y;
      ref::bias_gelu_forward(x, b, N, C, y);
      return weighted_sum(dy, y);
    };
    expect("bias_gelu dinp vs finite differences", fd_worst(x, dx, loss), fd_bound);
    expect("bias_gelu dbias vs finite differences", fd_worst(b, db, loss), fd_bound);
    // 0.5 (1 + tanh(sqrt(2/pi) * 1.044715)), digits from Python's math module.
    expect("gelu(1) hand value 0.8411919906082768", std::fabs(ref::gelu(1.0) - 0.8411919906082768), 1e-15);
    expect("gelu(0) = 0, gelu(-inf side) -> 0", std::fabs(ref::gelu(0.0)) + std::fabs(ref::gelu(-30.0)), 1e-15);
  }
  {  // SwiGLU
    const size_t n = 23;
    ref::Vec g = randn(n, rng, 2.0), u = randn(n, rng), dy = randn(n, rng), dg, du;
    ref::swiglu_backward(dy, g, u, dg, du);
    auto loss = [&] {
      ref::Vec y;
      ref::swiglu_forward(g, u, y);
      return weighted_sum(dy, y);
    };
    expect("swiglu dgate vs finite differences", fd_worst(g, dg, loss), fd_bound);
    expect("swiglu dup vs finite differences", fd_worst(u, du, loss), fd_bound);
  }
  {  // AdamW, two steps by hand: with a constant scaled gradient 1, mhat = vhat = 1 at every step.
    ref::Vec p = {1.0, 1.0}, g = {0.5, 0.5}, m = {0, 0}, v = {0, 0};
    const double lr = 0.1, eps = 1e-8, wd = 0.1;
    ref::adamw(p, g, m, v, {1, 0}, lr, 0.9, 0.999, eps, wd, 2.0, 1);
    const double step = lr / (1 + eps);
    const double want1[2] = {1 - lr * wd * 1 - step, 1 - step};
    expect("adamw step 1 by hand (decayed, masked)", std::max(std::fabs(p[0] - want1[0]), std::fabs(p[1] - want1[1])),
           1e-15);
    expect("adamw moments after step 1 (m 0.1, v 0.001)", std::fabs(m[0] - 0.1) + std::fabs(v[0] - 0.001), 1e-15);
    ref::adamw(p, g, m, v, {1, 0}, lr, 0.9, 0.999, eps, wd, 2.0, 2);
    const double want2[2] = {want1[0] - lr * wd * want1[0] - step, want1[1] - step};
    expect("adamw step 2 by hand (m 0.19, v 0.001999)",
           std::max({std::fabs(p[0] - want2[0]), std::fabs(p[1] - want2[1]), std::fabs(m[0] - 0.19),
                     std::fabs(v[0] - 0.001999)}),
           1e-15);
  }
  {  // GEMM
    // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]; alpha 2, beta 0.5 over C_old = 10, bias (1, -1).
    ref::Vec A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C(4, 10.0), bias = {1, -1};
    ref::gemm(false, false, 2, 2, 2, 2.0, A, 2, B, 2, 0.5, C, 2, bias, 1);
    expect("gemm hand case (alpha, beta, bias)", max_diff(C, {44, 48, 92, 104}), 0);
    ref::Vec G(4, 0.0);
    ref::gemm(false, false, 2, 2, 2, 1.0, A, 2, B, 2, 0.0, G, 2, {-19, -22}, 2);
    expect("gemm bias+gelu hand case (gelu(0), gelu(24), gelu(28))",
           max_diff(G, {0, 0, ref::gelu(43 - 19), ref::gelu(50 - 22)}), 0);
    // Transposed layouts against explicit transposes, with padded leading dimensions.
    const int M = 5, N = 7, K = 6;
    ref::Vec a = randn((size_t)M * K, rng), b = randn((size_t)K * N, rng), at((size_t)K * (M + 2)), bt((size_t)N * (K + 3));
    for (int i = 0; i < M; i++)
      for (int k = 0; k < K; k++) at[(size_t)k * (M + 2) + i] = a[(size_t)i * K + k];
    for (int k = 0; k < K; k++)
      for (int j = 0; j < N; j++) bt[(size_t)j * (K + 3) + k] = b[(size_t)k * N + j];
    ref::Vec want((size_t)M * N, 0.0);
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++)
        for (int k = 0; k < K; k++) want[(size_t)i * N + j] += a[(size_t)i * K + k] * b[(size_t)k * N + j];
    double worst = 0;
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        ref::Vec c((size_t)M * N, 0.0);
        ref::gemm(ta, tb, M, N, K, 1.0, ta ? at : a, ta ? M + 2 : K, tb ? bt : b, tb ? K + 3 : N, 0.0, c, N, {}, 0);
        worst = std::max(worst, max_diff(c, want));
      }
    expect("gemm trans_a/trans_b vs explicit transposes", worst, 1e-12);
  }
  std::printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
