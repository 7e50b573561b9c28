// Checks llmj's CUDA flash attention against the double-precision reference and times it.
// For each dtype (fp32, bf16, fp16), head size (64, 128) and mask (causal, full) it runs small
// shapes with awkward lengths (T = 1, 77, 130, 257; grouped heads) on poisoned outputs, then times
// forward and backward at B = 8, H = 16, T = 1024 and 4096, spot-checking one (batch, head) slice
// of those large runs against the reference. Exit status 1 if any check fails.
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "attention_reference.h"
#include "harness.h"

namespace {

struct Case {
  int B, T, H, Hkv, D, causal;
};

struct Device {
  void *q, *k, *v, *out, *dout, *dq, *dk, *dv, *work;
  float* lse;
  size_t work_bytes;
};

double forward_flops(const Case& c) {
  const double full = 4.0 * c.B * c.H * (double)c.T * c.T * c.D;
  return c.causal ? full / 2 : full;
}

void run_forward(llmj_dtype t, const Case& c, const Device& d, float scale) {
  CHECK_LLMJ(llmj_attention_forward(t, d.q, d.k, d.v, d.out, d.lse, c.B, c.T, c.H, c.Hkv, c.D, c.causal, scale, 0));
}

void run_backward(llmj_dtype t, const Case& c, const Device& d, float scale) {
  CHECK_LLMJ(llmj_attention_backward(t, d.q, d.k, d.v, d.out, d.lse, d.dout, d.dq, d.dk, d.dv, d.work, d.work_bytes,
                                     c.B, c.T, c.H, c.Hkv, c.D, c.causal, scale, 0));
}

// (T, D) slice of batch b, head h of a (B, T, heads, D) tensor, as a B = 1, heads = 1 tensor.
std::vector<double> slice(const std::vector<double>& x, const Case& c, int heads, int b, int h) {
  std::vector<double> s((size_t)c.T * c.D);
  for (int t = 0; t < c.T; t++)
    for (int i = 0; i < c.D; i++) s[(size_t)t * c.D + i] = x[(((size_t)b * c.T + t) * heads + h) * c.D + i];
  return s;
}

std::vector<double> lse_slice(const std::vector<double>& lse, const Case& c, int b, int h) {
  return std::vector<double>(lse.begin() + ((size_t)b * c.H + h) * c.T, lse.begin() + ((size_t)b * c.H + h + 1) * c.T);
}

// Runs one case: correctness on every element (or, with `spot`, on the last (batch, head) only, for
// sizes whose full reference would take minutes), then timing. Returns whether both checks passed.
bool run_case(llmj_dtype t, const Case& c, bool spot, uint64_t seed) {
  const size_t nq = (size_t)c.B * c.T * c.H * c.D, nkv = (size_t)c.B * c.T * c.Hkv * c.D, nl = (size_t)c.B * c.H * c.T;
  const float scale = 1.0f / std::sqrt((float)c.D);
  const auto q = harness::random_values(nq, seed, 1.0, t), k = harness::random_values(nkv, seed + 1, 1.0, t),
             v = harness::random_values(nkv, seed + 2, 1.0, t), dout = harness::random_values(nq, seed + 3, 1.0, t);
  Device d{};
  d.q = harness::to_device(q, t);
  d.k = harness::to_device(k, t);
  d.v = harness::to_device(v, t);
  d.dout = harness::to_device(dout, t);
  const size_t eb = harness::dtype_bytes(t);
  CHECK_CUDA(cudaMalloc(&d.out, nq * eb));
  CHECK_CUDA(cudaMalloc(&d.dq, nq * eb));
  CHECK_CUDA(cudaMalloc(&d.dk, nkv * eb));
  CHECK_CUDA(cudaMalloc(&d.dv, nkv * eb));
  CHECK_CUDA(cudaMalloc(&d.lse, nl * sizeof(float)));
  d.work_bytes = llmj_attention_backward_workspace(t, c.B, c.T, c.H, c.Hkv, c.D);
  CHECK_CUDA(cudaMalloc(&d.work, d.work_bytes > 0 ? d.work_bytes : 1));
  harness::poison(d.out, nq * eb);
  harness::poison(d.lse, nl * sizeof(float));
  harness::poison(d.dq, nq * eb);
  harness::poison(d.dk, nkv * eb);
  harness::poison(d.dv, nkv * eb);
  if (d.work_bytes > 0) harness::poison(d.work, d.work_bytes);

  run_forward(t, c, d, scale);
  run_backward(t, c, d, scale);
  CHECK_CUDA(cudaDeviceSynchronize());
  const auto out = harness::to_host(d.out, nq, t), dq = harness::to_host(d.dq, nq, t),
             dk = harness::to_host(d.dk, nkv, t), dv = harness::to_host(d.dv, nkv, t),
             lse = harness::to_host(d.lse, nl, LLMJ_F32);

  double fwd_error = 0, bwd_error = 0;
  std::vector<double> want_out, want_lse, want_dq, want_dk, want_dv;
  if (!spot) {
    const attention_reference::Shape s{c.B, c.T, c.H, c.Hkv, c.D, c.causal == 1, (double)scale};
    attention_reference::forward(s, q, k, v, want_out, want_lse);
    attention_reference::backward(s, q, k, v, dout, want_dq, want_dk, want_dv);
    fwd_error = std::max(harness::relative_error(out, want_out), harness::relative_error(lse, want_lse));
    bwd_error = std::max({harness::relative_error(dq, want_dq), harness::relative_error(dk, want_dk),
                          harness::relative_error(dv, want_dv)});
  } else {
    // Large cases use H == Hkv, so the slice's key/value gradients come from its own head alone.
    const int b = c.B - 1, h = c.H - 1;
    const attention_reference::Shape s{1, c.T, 1, 1, c.D, c.causal == 1, (double)scale};
    const auto qs = slice(q, c, c.H, b, h), ks = slice(k, c, c.Hkv, b, h), vs = slice(v, c, c.Hkv, b, h),
               dos = slice(dout, c, c.H, b, h);
    attention_reference::forward(s, qs, ks, vs, want_out, want_lse);
    attention_reference::backward(s, qs, ks, vs, dos, want_dq, want_dk, want_dv);
    fwd_error = std::max(harness::relative_error(slice(out, c, c.H, b, h), want_out),
                         harness::relative_error(lse_slice(lse, c, b, h), want_lse));
    bwd_error = std::max({harness::relative_error(slice(dq, c, c.H, b, h), want_dq),
                          harness::relative_error(slice(dk, c, c.Hkv, b, h), want_dk),
                          harness::relative_error(slice(dv, c, c.Hkv, b, h), want_dv)});
  }

  const int runs = spot ? 20 : 5;
  const double fwd_ms = harness::median_ms([&] { run_forward(t, c, d, scale); }, 2, runs);
  const double bwd_ms = harness::median_ms([&] { run_backward(t, c, d, scale); }, 2, runs);
  char shape[96];
  std::snprintf(shape, sizeof shape, "B%d T%d H%d/%d D%d %s%s", c.B, c.T, c.H, c.Hkv, c.D, c.causal ? "causal" : "full",
                spot ? " (slice)" : "");
  bool ok = harness::report("attention fwd", shape, t, fwd_error, fwd_ms, "TFLOP/s", forward_flops(c) / 1e12);
  ok &= harness::report("attention bwd", shape, t, bwd_error, bwd_ms, "TFLOP/s", 2.5 * forward_flops(c) / 1e12);

  for (void* p : {d.q, d.k, d.v, d.dout, d.out, d.dq, d.dk, d.dv, d.work}) CHECK_CUDA(cudaFree(p));
  CHECK_CUDA(cudaFree(d.lse));
  return ok;
}

// Bad arguments must come back as LLMJ_BAD_ARGUMENT with a message, before anything is launched.
bool check_rejects() {
  bool ok = true;
  void* p = nullptr;
  float* lse = nullptr;
  CHECK_CUDA(cudaMalloc(&p, 1 << 20));
  CHECK_CUDA(cudaMalloc(&lse, 1 << 20));
  struct Bad {
    const char* what;
    int T, H, Hkv, D;
    size_t work;
  } bad[] = {{"D = 96", 8, 2, 2, 96, 1 << 20}, {"H = 3, Hkv = 2", 8, 3, 2, 64, 1 << 20},
             {"T = 0", 0, 2, 2, 64, 1 << 20}, {"workspace too small", 64, 2, 2, 64, 16}};
  for (const Bad& b : bad) {
    // The workspace case has a valid forward shape, so only backward is asked.
    const bool forward_too = std::string_view(b.what) != "workspace too small";
    const bool fs_ok = !forward_too || llmj_attention_forward(LLMJ_BF16, p, p, p, p, lse, 1, b.T, b.H, b.Hkv, b.D, 1,
                                                              0.125f, 0) == LLMJ_BAD_ARGUMENT;
    const llmj_status bs = llmj_attention_backward(LLMJ_BF16, p, p, p, p, lse, p, p, p, p, p, b.work, 1, b.T, b.H,
                                                   b.Hkv, b.D, 1, 0.125f, 0);
    const bool pass = fs_ok && bs == LLMJ_BAD_ARGUMENT;
    std::printf("rejects %-20s %s: %s\n", b.what, pass ? "PASS" : "FAIL", llmj_last_error());
    ok &= pass;
  }
  CHECK_CUDA(cudaFree(p));
  CHECK_CUDA(cudaFree(lse));
  return ok;
}

}  // namespace

int main() {
  char name[256];
  int cc = 0;
  CHECK_LLMJ(llmj_device_info(name, sizeof name, &cc));
  std::printf("device: %s (compute capability %d)\n", name, cc);
  bool ok = check_rejects();
  CHECK_CUDA(cudaDeviceSynchronize());

  const Case small[] = {{2, 77, 4, 2, 0, 0}, {1, 1, 2, 1, 0, 0}, {1, 130, 2, 2, 0, 0}, {1, 257, 6, 2, 0, 0}};
  uint64_t seed = 1000;
  for (llmj_dtype t : {LLMJ_F32, LLMJ_BF16, LLMJ_F16})
    for (int D : {64, 128})
      for (int causal : {1, 0})
        for (Case c : small) {
          c.D = D;
          c.causal = causal;
          ok &= run_case(t, c, false, seed += 10);
        }

  for (int T : {1024, 4096})
    for (int D : {64, 128}) ok &= run_case(LLMJ_BF16, {8, T, 16, 16, D, 1}, true, seed += 10);
  for (int D : {64, 128}) ok &= run_case(LLMJ_F32, {8, 1024, 16, 16, D, 1}, true, seed += 10);

  std::printf("%s\n", ok ? "all attention checks passed" : "SOME ATTENTION CHECKS FAILED");
  return ok ? 0 : 1;
}
