// Checks the double-precision attention reference on the host (no GPU needed): its gradients
// against central finite differences of its forward, and two cases small enough to know by hand.
//   g++ -std=c++17 -O2 -Wall -Wextra -o /tmp/attention_reference_test attention_reference_test.cpp
#include <cstdio>
#include <random>

#include "attention_reference.h"

using attention_reference::Shape;

namespace {

std::vector<double> normal(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<double> x(n);
  for (auto& e : x) e = dist(rng);
  return x;
}

double loss(const Shape& s, const std::vector<double>& q, const std::vector<double>& k,
            const std::vector<double>& v, const std::vector<double>& g) {
  std::vector<double> out, lse;
  attention_reference::forward(s, q, k, v, out, lse);
  double sum = 0;
  for (size_t i = 0; i < out.size(); i++) sum += out[i] * g[i];
  return sum;
}

// Worst |analytic - finite difference| over every element of `x`, relative to the largest gradient.
double gradient_error(const Shape& s, std::vector<double>& q, std::vector<double>& k, std::vector<double>& v,
                      const std::vector<double>& g, std::vector<double>& x, const std::vector<double>& analytic) {
  const double h = 1e-5;
  double worst = 0, scale = 1e-300;
  for (double a : analytic) scale = std::max(scale, std::fabs(a));
  for (size_t i = 0; i < x.size(); i++) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = loss(s, q, k, v, g);
    x[i] = keep - h;
    const double down = loss(s, q, k, v, g);
    x[i] = keep;
    worst = std::max(worst, std::fabs((up - down) / (2 * h) - analytic[i]) / scale);
  }
  return worst;
}

bool check(const char* what, double error, double bound) {
  const bool ok = error <= bound;
  std::printf("%-58s %s %.2e (< %.0e)\n", what, ok ? "PASS" : "FAIL", error, bound);
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  for (int causal = 0; causal <= 1; causal++) {
    const Shape s{2, 5, 4, 2, 3, causal == 1, 0.7};  // grouped: two query heads per key/value head
    std::vector<double> q = normal((size_t)s.B * s.T * s.H * s.D, 1), k = normal((size_t)s.B * s.T * s.Hkv * s.D, 2),
                        v = normal(k.size(), 3), g = normal(q.size(), 4);
    std::vector<double> dq, dk, dv;
    attention_reference::backward(s, q, k, v, g, dq, dk, dv);
    char name[128];
    std::snprintf(name, sizeof name, "B=2 T=5 H=4 Hkv=2 D=3 causal=%d dq vs finite difference", causal);
    ok &= check(name, gradient_error(s, q, k, v, g, q, dq), 1e-8);
    std::snprintf(name, sizeof name, "B=2 T=5 H=4 Hkv=2 D=3 causal=%d dk vs finite difference", causal);
    ok &= check(name, gradient_error(s, q, k, v, g, k, dk), 1e-8);
    std::snprintf(name, sizeof name, "B=2 T=5 H=4 Hkv=2 D=3 causal=%d dv vs finite difference", causal);
    ok &= check(name, gradient_error(s, q, k, v, g, v, dv), 1e-8);
  }
  {
    // T = 1: the only visible key gets probability 1, so out = v and lse = scale * q.k.
    const Shape s{1, 1, 1, 1, 2, true, 0.5};
    const std::vector<double> q{1, 2}, k{3, -1}, v{0.25, -4};
    std::vector<double> out, lse;
    attention_reference::forward(s, q, k, v, out, lse);
    ok &= check("T=1: out = v, lse = scale * q.k",
                std::max({std::fabs(out[0] - 0.25), std::fabs(out[1] + 4), std::fabs(lse[0] - 0.5)}), 1e-15);
  }
  {
    // T = 2, D = 1, q = k = (1, 2), v = (10, 20), scale 1, causal: row 0 sees key 0 only (out 10,
    // lse 1); row 1 sees scores 2 and 4, weights 1/(1+e^2) and e^2/(1+e^2), lse = 4 + log(1 + e^-2).
    const Shape s{1, 2, 1, 1, 1, true, 1.0};
    const std::vector<double> q{1, 2}, k{1, 2}, v{10, 20};
    std::vector<double> out, lse;
    attention_reference::forward(s, q, k, v, out, lse);
    const double e2 = std::exp(2.0), want1 = (10 + 20 * e2) / (1 + e2);
    ok &= check("T=2 causal by hand: out and lse",
                std::max({std::fabs(out[0] - 10), std::fabs(out[1] - want1), std::fabs(lse[0] - 1),
                          std::fabs(lse[1] - (4 + std::log1p(std::exp(-2.0))))}),
                1e-13);
  }
  std::printf("%s\n", ok ? "all reference checks passed" : "SOME REFERENCE CHECKS FAILED");
  return ok ? 0 : 1;
}
