// Checks and timings of llmj's memory-bound kernels and GEMM against the double references in
// ops_reference.h. Every case: seeded inputs rounded to the kernel's type, outputs poisoned
// first, worst relative error under harness::tolerance, then the median time. Memory-bound rows
// report GB/s of compulsory traffic (each input read once, each output written once) next to the
// device's own copy bandwidth measured here; GEMM rows report TFLOP/s next to the best bf16 GEMM
// rate this program measures (8192^3). Exits 1 if any check fails.
#include <string>

#include <cstdlib>

#include "harness.h"
#include "llmj_cublaslt.h"
#include "ops_reference.h"

namespace {

using harness::dtype_bytes;
using ref::Vec;

bool all_ok = true;
struct Rate { std::string name; double value; };
std::vector<Rate> bandwidth_rows, gemm_rows;

// A device buffer freed at scope end.
struct Dev {
  void* p = nullptr;
  Dev() = default;
  explicit Dev(void* q) : p(q) {}
  explicit Dev(size_t bytes) { CHECK_CUDA(cudaMalloc(&p, bytes)); }
  Dev(Dev&& o) noexcept : p(o.p) { o.p = nullptr; }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  ~Dev() { if (p) cudaFree(p); }
  template <class T> T* as() const { return static_cast<T*>(p); }
};

Dev upload(const Vec& x, llmj_dtype t) { return Dev(harness::to_device(x, t)); }
Dev poisoned(size_t n, llmj_dtype t) {
  Dev d(n * dtype_bytes(t));
  harness::poison(d.p, n * dtype_bytes(t));
  return d;
}
Vec download(const Dev& d, size_t n, llmj_dtype t) { return harness::to_host(d.p, n, t); }
double rounded(double v, llmj_dtype t) {
  if (t == LLMJ_BF16) return __bfloat162float(__float2bfloat16((float)v));
  if (t == LLMJ_F16) return __half2float(__float2half((float)v));
  return (float)v;
}
// Values as the kernel stores them in fp32 (statistics handed from forward to backward).
Vec as_float(const Vec& x) {
  Vec y(x.size());
  for (size_t i = 0; i < x.size(); i++) y[i] = (float)x[i];
  return y;
}

void row(const char* kernel, const std::string& shape, llmj_dtype t, double err, double ms, double bytes) {
  all_ok &= harness::report(kernel, shape.c_str(), t, err, ms, "GB/s", bytes / 1e9);
  bandwidth_rows.push_back({std::string(kernel) + " " + shape + " " + harness::dtype_name(t), bytes / 1e9 / (ms * 1e-3)});
}

std::string nc(int N, int C) { return "N=" + std::to_string(N) + " C=" + std::to_string(C); }

void check_softmax(int N, int V, llmj_dtype t, bool in_place, uint64_t seed) {
  Vec logits = harness::random_values((size_t)N * V, seed, 2.0, t);
  std::vector<int32_t> targets(N);
  const int ignore = -100;
  for (int n = 0; n < N; n++) targets[n] = n % 7 == 3 ? ignore : (int)((seed + 7919ull * n) % V);
  const float dloss = 1.0f / N;
  Vec want_loss, want_grad;
  ref::softmax_xent(logits, targets, dloss, ignore, N, V, want_loss, want_grad);
  Dev x = upload(logits, t), losses = poisoned(N, LLMJ_F32);
  Dev tg(N * sizeof(int32_t));
  CHECK_CUDA(cudaMemcpy(tg.p, targets.data(), N * sizeof(int32_t), cudaMemcpyHostToDevice));
  Dev grad_own = in_place ? Dev() : poisoned((size_t)N * V, t);
  void* grad = in_place ? x.p : grad_own.p;
  auto run = [&] { CHECK_LLMJ(llmj_softmax_xent(t, x.p, tg.as<int32_t>(), losses.as<float>(), grad, dloss, ignore, N, V, 0)); };
  run();
  CHECK_CUDA(cudaDeviceSynchronize());
  const double err = std::max(harness::relative_error(download(losses, N, LLMJ_F32), want_loss),
                              harness::relative_error(download(in_place ? x : grad_own, (size_t)N * V, t), want_grad));
  const double ms = harness::median_ms(run, 3, 20);
  row("softmax_xent", "N=" + std::to_string(N) + " V=" + std::to_string(V) + (in_place ? " in place" : ""), t, err, ms,
      2.0 * N * V * dtype_bytes(t));
}

void check_layernorm(int N, int C, llmj_dtype t, bool with_bias, uint64_t seed) {
  const double eps = 1e-5;
  Vec x = harness::random_values((size_t)N * C, seed, 1.0, t), w = harness::random_values(C, seed + 1, 1.0, t);
  Vec b = with_bias ? harness::random_values(C, seed + 2, 1.0, t) : Vec();
  Vec dy = harness::random_values((size_t)N * C, seed + 3, 1.0, t);
  for (size_t i = 0; i < x.size(); i++) x[i] = rounded(x[i] + (i / C % 3 == 0 ? 3.0 : 0.0), t);  // rows off zero mean
  Vec y, mu, rs;
  ref::layernorm_forward(x, w, b, N, C, eps, y, mu, rs);
  Dev dx_ = upload(x, t), dw_ = upload(w, t), db_ = with_bias ? upload(b, t) : Dev();
  Dev out = poisoned((size_t)N * C, t), mean = poisoned(N, LLMJ_F32), rstd = poisoned(N, LLMJ_F32);
  auto fwd = [&] { CHECK_LLMJ(llmj_layernorm_forward(t, out.p, mean.as<float>(), rstd.as<float>(), dx_.p, dw_.p, db_.p, N, C, (float)eps, 0)); };
  fwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  double err = std::max({harness::relative_error(download(out, (size_t)N * C, t), y),
                         harness::relative_error(download(mean, N, LLMJ_F32), mu),
                         harness::relative_error(download(rstd, N, LLMJ_F32), rs)});
  const std::string shape = nc(N, C) + (with_bias ? "" : " no bias");
  row("layernorm_forward", shape, t, err, harness::median_ms(fwd, 3, 20), 2.0 * N * C * dtype_bytes(t));

  // Backward from the reference statistics (as fp32), into gradients that already hold values.
  Vec g0 = harness::random_values(C, seed + 4, 1.0, LLMJ_F32), gb0 = harness::random_values(C, seed + 5, 1.0, LLMJ_F32);
  Vec want_dx, want_dw = g0, want_db = gb0;
  ref::layernorm_backward(dy, x, w, N, C, eps, want_dx, want_dw, want_db);
  Dev ddy = upload(dy, t), dmu = upload(as_float(mu), LLMJ_F32), drs = upload(as_float(rs), LLMJ_F32);
  Dev dinp = poisoned((size_t)N * C, t), dweight = upload(g0, LLMJ_F32), dbias = upload(gb0, LLMJ_F32);
  auto bwd = [&] { CHECK_LLMJ(llmj_layernorm_backward(t, dinp.p, dweight.as<float>(), dbias.as<float>(), ddy.p, dx_.p, dw_.p, dmu.as<float>(), drs.as<float>(), N, C, 0)); };
  bwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  // dweight and dbias sum N products in fp32: judged on the type's tolerance at their own scale.
  err = std::max({harness::relative_error(download(dinp, (size_t)N * C, t), want_dx),
                  harness::relative_error(download(dweight, C, LLMJ_F32), want_dw),
                  harness::relative_error(download(dbias, C, LLMJ_F32), want_db)});
  row("layernorm_backward", shape, t, err, harness::median_ms(bwd, 3, 20), 3.0 * N * C * dtype_bytes(t));
}

void check_rmsnorm(int N, int C, llmj_dtype t, uint64_t seed) {
  const double eps = 1e-6;
  Vec x = harness::random_values((size_t)N * C, seed, 1.0, t), w = harness::random_values(C, seed + 1, 1.0, t);
  Vec dy = harness::random_values((size_t)N * C, seed + 3, 1.0, t);
  Vec y, rs;
  ref::rmsnorm_forward(x, w, N, C, eps, y, rs);
  Dev dx_ = upload(x, t), dw_ = upload(w, t), out = poisoned((size_t)N * C, t), rstd = poisoned(N, LLMJ_F32);
  auto fwd = [&] { CHECK_LLMJ(llmj_rmsnorm_forward(t, out.p, rstd.as<float>(), dx_.p, dw_.p, N, C, (float)eps, 0)); };
  fwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  double err = std::max(harness::relative_error(download(out, (size_t)N * C, t), y),
                        harness::relative_error(download(rstd, N, LLMJ_F32), rs));
  row("rmsnorm_forward", nc(N, C), t, err, harness::median_ms(fwd, 3, 20), 2.0 * N * C * dtype_bytes(t));

  Vec g0 = harness::random_values(C, seed + 4, 1.0, LLMJ_F32), want_dx, want_dw = g0;
  ref::rmsnorm_backward(dy, x, w, N, C, eps, want_dx, want_dw);
  Dev ddy = upload(dy, t), drs = upload(as_float(rs), LLMJ_F32), dinp = poisoned((size_t)N * C, t), dweight = upload(g0, LLMJ_F32);
  auto bwd = [&] { CHECK_LLMJ(llmj_rmsnorm_backward(t, dinp.p, dweight.as<float>(), ddy.p, dx_.p, dw_.p, drs.as<float>(), N, C, 0)); };
  bwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  err = std::max(harness::relative_error(download(dinp, (size_t)N * C, t), want_dx),
                 harness::relative_error(download(dweight, C, LLMJ_F32), want_dw));
  row("rmsnorm_backward", nc(N, C), t, err, harness::median_ms(bwd, 3, 20), 3.0 * N * C * dtype_bytes(t));
}

void check_bias_gelu(int N, int C, llmj_dtype t, bool with_bias, uint64_t seed) {
  Vec x = harness::random_values((size_t)N * C, seed, 2.0, t), dy = harness::random_values((size_t)N * C, seed + 1, 1.0, t);
  Vec b = with_bias ? harness::random_values(C, seed + 2, 1.0, t) : Vec();
  Vec y;
  ref::bias_gelu_forward(x, b, N, C, y);
  Dev dx_ = upload(x, t), db_ = with_bias ? upload(b, t) : Dev(), out = poisoned((size_t)N * C, t);
  auto fwd = [&] { CHECK_LLMJ(llmj_bias_gelu_forward(t, out.p, dx_.p, db_.p, N, C, 0)); };
  fwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  const std::string shape = nc(N, C) + (with_bias ? "" : " no bias");
  row("bias_gelu_forward", shape, t, harness::relative_error(download(out, (size_t)N * C, t), y),
      harness::median_ms(fwd, 3, 20), 2.0 * N * C * dtype_bytes(t));

  Vec g0 = harness::random_values(C, seed + 4, 1.0, LLMJ_F32), want_dx, want_db = g0;
  ref::bias_gelu_backward(dy, x, b, N, C, want_dx, want_db);
  Dev ddy = upload(dy, t), dinp = poisoned((size_t)N * C, t), dbias = upload(g0, LLMJ_F32);
  auto bwd = [&] { CHECK_LLMJ(llmj_bias_gelu_backward(t, dinp.p, dbias.as<float>(), ddy.p, dx_.p, db_.p, N, C, 0)); };
  bwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  const double err = std::max(harness::relative_error(download(dinp, (size_t)N * C, t), want_dx),
                              harness::relative_error(download(dbias, C, LLMJ_F32), want_db));
  row("bias_gelu_backward", shape, t, err, harness::median_ms(bwd, 3, 20), 3.0 * N * C * dtype_bytes(t));
}

void check_swiglu(int N, int C, llmj_dtype t, uint64_t seed) {
  const size_t n = (size_t)N * C;
  Vec g = harness::random_values(n, seed, 2.0, t), u = harness::random_values(n, seed + 1, 1.0, t);
  Vec dy = harness::random_values(n, seed + 2, 1.0, t), y, want_dg, want_du;
  ref::swiglu_forward(g, u, y);
  ref::swiglu_backward(dy, g, u, want_dg, want_du);
  Dev dg_ = upload(g, t), du_ = upload(u, t), ddy = upload(dy, t), out = poisoned(n, t), dgate = poisoned(n, t), dup = poisoned(n, t);
  auto fwd = [&] { CHECK_LLMJ(llmj_swiglu_forward(t, out.p, dg_.p, du_.p, N, C, 0)); };
  fwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  row("swiglu_forward", nc(N, C), t, harness::relative_error(download(out, n, t), y), harness::median_ms(fwd, 3, 20),
      3.0 * n * dtype_bytes(t));
  auto bwd = [&] { CHECK_LLMJ(llmj_swiglu_backward(t, dgate.p, dup.p, ddy.p, dg_.p, du_.p, N, C, 0)); };
  bwd();
  CHECK_CUDA(cudaDeviceSynchronize());
  const double err = std::max(harness::relative_error(download(dgate, n, t), want_dg),
                              harness::relative_error(download(dup, n, t), want_du));
  row("swiglu_backward", nc(N, C), t, err, harness::median_ms(bwd, 3, 20), 5.0 * n * dtype_bytes(t));
}

void check_adamw(size_t n, bool with_mask, uint64_t seed) {
  const llmj_dtype f = LLMJ_F32;
  Vec p = harness::random_values(n, seed, 1.0, f), g = harness::random_values(n, seed + 1, 1.0, f);
  Vec m = harness::random_values(n, seed + 2, 0.1, f), v = harness::random_values(n, seed + 3, 0.1, f);
  for (auto& e : v) e = e * e;
  std::vector<uint8_t> mask;
  if (with_mask) for (size_t i = 0; i < n; i++) mask.push_back(i % 3 != 0);
  const float lr = 3e-4f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f, scale = 0.5f;
  const int step = 3;
  Dev dp = upload(p, f), dg = upload(g, f), dm = upload(m, f), dv = upload(v, f);
  Dev dmask = with_mask ? Dev(n) : Dev();
  if (with_mask) CHECK_CUDA(cudaMemcpy(dmask.p, mask.data(), n, cudaMemcpyHostToDevice));
  ref::adamw(p, g, m, v, mask, lr, b1, b2, eps, wd, scale, step);
  auto run = [&] { CHECK_LLMJ(llmj_adamw(dp.as<float>(), dg.as<float>(), dm.as<float>(), dv.as<float>(), dmask.as<uint8_t>(), n, lr, b1, b2, eps, wd, scale, step, 0)); };
  run();
  CHECK_CUDA(cudaDeviceSynchronize());
  const double err = std::max({harness::relative_error(download(dp, n, f), p), harness::relative_error(download(dm, n, f), m),
                               harness::relative_error(download(dv, n, f), v)});
  row("adamw", "n=" + std::to_string(n) + (with_mask ? " masked" : ""), f, err, harness::median_ms(run, 3, 20),
      n * (28.0 + (with_mask ? 1 : 0)));
}

// One GEMM case: full check for small shapes, `samples` random elements for large ones.
void check_gemm(const char* name, llmj_dtype t, bool ta, bool tb, int M, int N, int K, int pad, float alpha, float beta,
                llmj_epilogue epi, uint64_t seed, int samples = 0) {
  // pad < 0: leading dimensions rounded up to a multiple of 8 (the 16-byte cp.async path) even
  // when the extents are not, so edge chunks are partly inside the matrix.
  auto ld_of = [&](int extent) { return pad < 0 ? (extent + 7) / 8 * 8 : extent + pad; };
  const int lda = ld_of(ta ? M : K), ldb = ld_of(tb ? K : N), ldc = ld_of(N);
  const size_t a_n = (size_t)(ta ? K : M) * lda, b_n = (size_t)(tb ? N : K) * ldb, c_n = (size_t)M * ldc;
  Vec A = harness::random_values(a_n, seed, 1.0, t), B = harness::random_values(b_n, seed + 1, 1.0, t);
  Vec C0 = beta != 0 ? harness::random_values(c_n, seed + 2, 1.0, t) : Vec(c_n, 0.0);
  Vec bias = epi != LLMJ_EPILOGUE_NONE ? harness::random_values(N, seed + 3, 1.0, t) : Vec();
  Dev dA = upload(A, t), dB = upload(B, t), dbias = bias.empty() ? Dev() : upload(bias, t);
  Dev dC = beta != 0 ? upload(C0, t) : poisoned(c_n, t);
  auto run = [&] { CHECK_LLMJ(llmj_gemm(t, ta, tb, M, N, K, alpha, dA.p, lda, dB.p, ldb, beta, dC.p, ldc, dbias.p, epi, 0)); };
  run();
  CHECK_CUDA(cudaDeviceSynchronize());
  Vec got = download(dC, c_n, t), want, have;
  if (samples == 0) {
    Vec C = C0;
    ref::gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, epi);
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) want.push_back(C[(size_t)i * ldc + j]), have.push_back(got[(size_t)i * ldc + j]);
  } else {
    std::mt19937_64 rng(seed + 4);
    for (int s = 0; s < samples; s++) {
      // Corners first (edge tiles), then random elements.
      const int i = s == 0 || s == 1 ? 0 : s == 2 || s == 3 ? M - 1 : (int)(rng() % M);
      const int j = s % 2 == 0 && s < 4 ? 0 : s < 4 ? N - 1 : (int)(rng() % N);
      want.push_back(ref::gemm_element(ref::dot(ta, tb, i, j, K, A, lda, B, ldb), alpha, beta, C0[(size_t)i * ldc + j], bias, j, epi));
      have.push_back(got[(size_t)i * ldc + j]);
    }
  }
  const double err = harness::relative_error(have, want);
  const double ms = harness::median_ms(run, 3, samples ? 20 : 10);
  const double flops = 2.0 * M * N * K;
  char shape[96];
  std::snprintf(shape, sizeof shape, "%s%s M=%d N=%d K=%d%s e%d", ta ? "T" : "N", tb ? "T" : "N", M, N, K,
                pad < 0 ? " ld%8=0" : pad ? " ld+pad" : "", (int)epi);
  all_ok &= harness::report(name, shape, t, err, ms, "TFLOP/s", flops / 1e12);
  if (samples) gemm_rows.push_back({std::string(name) + " " + shape + " " + harness::dtype_name(t), flops / 1e12 / (ms * 1e-3)});
}

__global__ void copy_kernel(const int4* in, int4* out, size_t n) {
  for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) out[i] = in[i];
}

void expect_bad_argument(const char* what, llmj_status s) {
  const bool ok = s == LLMJ_BAD_ARGUMENT;
  std::printf("| %-22s | %-34s | %s: %s\n", "argument check", what, ok ? "PASS" : "FAIL", llmj_last_error());
  all_ok &= ok;
}

}  // namespace

int main() {
  char name[256];
  int cc = 0;
  CHECK_LLMJ(llmj_device_info(name, sizeof name, &cc));
  std::printf("llmj ops check on %s (compute capability %d.%d)\n\n", name, cc / 10, cc % 10);

  // Copy bandwidth: read + write bytes over time.
  const size_t gib = 1ull << 30;
  Dev src(gib), dst(gib);
  CHECK_CUDA(cudaMemset(src.p, 1, gib));
  const double memcpy_ms = harness::median_ms([&] { CHECK_CUDA(cudaMemcpyAsync(dst.p, src.p, gib, cudaMemcpyDeviceToDevice)); }, 3, 20);
  const double kernel_ms = harness::median_ms([&] { copy_kernel<<<4096, 256>>>(src.as<int4>(), dst.as<int4>(), gib / 16); }, 3, 20);
  const double copy_gbs = std::max(2.0 * gib / 1e9 / (memcpy_ms * 1e-3), 2.0 * gib / 1e9 / (kernel_ms * 1e-3));
  std::printf("copy bandwidth (read + write, 1 GiB): cudaMemcpy D2D %.1f GB/s, copy kernel %.1f GB/s\n\n",
              2.0 * gib / 1e9 / (memcpy_ms * 1e-3), 2.0 * gib / 1e9 / (kernel_ms * 1e-3));

  std::printf("| %-22s | %-34s | type | check                 |   median ms |      rate     |\n", "kernel", "case");
  const llmj_dtype types[] = {LLMJ_F32, LLMJ_BF16, LLMJ_F16};
  uint64_t seed = 42;
  for (llmj_dtype t : types) {
    check_softmax(37, 50257, t, false, seed++);
    check_softmax(37, 3, t, false, seed++);
    check_softmax(5, 771, t, true, seed++);
    check_softmax(8 * 1024, 50304, t, false, seed++);
  }
  check_softmax(8 * 1024, 50304, LLMJ_BF16, true, seed++);
  for (llmj_dtype t : types)
    for (auto [N, C] : {std::pair{37, 771}, {1, 5}, {33, 64}, {8 * 1024, 768}, {8 * 1024, 4096}}) {
      check_layernorm(N, C, t, true, seed++);
      check_rmsnorm(N, C, t, seed++);
      check_bias_gelu(N, C, t, true, seed++);
      check_swiglu(N, C, t, seed++);
    }
  for (llmj_dtype t : types) {
    check_layernorm(37, 771, t, false, seed++);
    check_bias_gelu(37, 771, t, false, seed++);
    check_bias_gelu(8 * 1024, 3072, t, true, seed++);
  }
  check_adamw(1000003, true, seed++);
  check_adamw(1000003, false, seed++);
  check_adamw(124475904, true, seed++);

  // GEMM correctness on awkward shapes, every layout, epilogue, alpha/beta, aligned and padded ld.
  for (llmj_dtype t : types)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        check_gemm("gemm", t, ta, tb, 37, 771, 97, 0, 1.0f, 0.0f, LLMJ_EPILOGUE_BIAS_GELU, seed++);
        check_gemm("gemm", t, ta, tb, 130, 264, 200, 0, 0.5f, 0.5f, LLMJ_EPILOGUE_NONE, seed++);
        check_gemm("gemm", t, ta, tb, 130, 264, 200, 8, 1.0f, 0.0f, LLMJ_EPILOGUE_BIAS, seed++);
        check_gemm("gemm", t, ta, tb, 131, 261, 197, -1, 1.0f, 0.25f, LLMJ_EPILOGUE_BIAS_GELU, seed++);
        check_gemm("gemm", t, ta, tb, 3, 5, 7, 1, 1.0f, 1.0f, LLMJ_EPILOGUE_BIAS_GELU, seed++);
        check_gemm("gemm", t, ta, tb, 1, 1, 1, 0, 2.0f, 0.0f, LLMJ_EPILOGUE_NONE, seed++);
      }

  // A GPT-2 small training step (B*T = 8192 rows, C = 768, 4C = 3072, V = 50304): forward products,
  // then the backward ones (dX = dY W^T: trans_b; dW = X^T dY: trans_a).
  struct Shape { bool ta, tb; int M, N, K; llmj_epilogue epi; };
  const Shape step[] = {
      {false, false, 8192, 2304, 768, LLMJ_EPILOGUE_BIAS},      {false, false, 8192, 768, 768, LLMJ_EPILOGUE_BIAS},
      {false, false, 8192, 3072, 768, LLMJ_EPILOGUE_BIAS_GELU}, {false, false, 8192, 768, 3072, LLMJ_EPILOGUE_BIAS},
      {false, true, 8192, 50304, 768, LLMJ_EPILOGUE_NONE},      {false, false, 8192, 768, 50304, LLMJ_EPILOGUE_NONE},
      {true, false, 768, 50304, 8192, LLMJ_EPILOGUE_NONE},      {false, true, 8192, 768, 3072, LLMJ_EPILOGUE_NONE},
      {true, false, 768, 3072, 8192, LLMJ_EPILOGUE_NONE},       {true, false, 3072, 768, 8192, LLMJ_EPILOGUE_NONE},
  };
  check_gemm("gemm peak (8192^3)", LLMJ_BF16, false, false, 8192, 8192, 8192, 0, 1.0f, 0.0f, LLMJ_EPILOGUE_NONE, seed++, 64);
  for (const Shape& s : step) check_gemm("gemm step", LLMJ_BF16, s.ta, s.tb, s.M, s.N, s.K, 0, 1.0f, 0.0f, s.epi, seed++, 64);
  const bool lt = llmj_gemm_cublaslt_available() != 0;
  if (lt) {  // the same products through cuBLASLt, as the yardstick
    setenv("LLMJ_GEMM", "cublaslt", 1);
    check_gemm("cublaslt peak (8192^3)", LLMJ_BF16, false, false, 8192, 8192, 8192, 0, 1.0f, 0.0f, LLMJ_EPILOGUE_NONE, seed++, 64);
    for (const Shape& s : step) check_gemm("cublaslt step", LLMJ_BF16, s.ta, s.tb, s.M, s.N, s.K, 0, 1.0f, 0.0f, s.epi, seed++, 64);
    unsetenv("LLMJ_GEMM");
  }
  check_gemm("gemm step", LLMJ_F16, false, false, 8192, 3072, 768, 0, 1.0f, 0.0f, LLMJ_EPILOGUE_BIAS_GELU, seed++, 64);
  check_gemm("gemm step", LLMJ_F32, false, false, 8192, 3072, 768, 0, 1.0f, 0.0f, LLMJ_EPILOGUE_BIAS_GELU, seed++, 64);

  // Bad arguments come back as LLMJ_BAD_ARGUMENT with a message, before any launch.
  expect_bad_argument("softmax_xent V = 0", llmj_softmax_xent(LLMJ_F32, src.p, nullptr, nullptr, nullptr, 1, -1, 1, 0, 0));
  expect_bad_argument("layernorm dtype 7", llmj_layernorm_forward((llmj_dtype)7, dst.p, nullptr, nullptr, src.p, src.p, nullptr, 1, 8, 1e-5f, 0));
  expect_bad_argument("gemm lda < K", llmj_gemm(LLMJ_BF16, 0, 0, 4, 4, 8, 1, src.p, 4, src.p, 4, 0, dst.p, 4, nullptr, LLMJ_EPILOGUE_NONE, 0));
  expect_bad_argument("gemm bias epilogue, NULL bias", llmj_gemm(LLMJ_BF16, 0, 0, 4, 4, 8, 1, src.p, 8, src.p, 4, 0, dst.p, 4, nullptr, LLMJ_EPILOGUE_BIAS, 0));
  expect_bad_argument("adamw step 0", llmj_adamw(src.as<float>(), src.as<float>(), dst.as<float>(), dst.as<float>(), nullptr, 4, 1e-3f, 0.9f, 0.95f, 1e-8f, 0, 1, 0, 0));

  std::printf("\nmemory-bound kernels at training sizes vs copy bandwidth %.1f GB/s:\n", copy_gbs);
  for (const Rate& r : bandwidth_rows)
    if (r.name.find("N=8192") != std::string::npos || r.name.find("n=124475904") != std::string::npos)
      std::printf("  %-60s %8.1f GB/s  %5.1f%%\n", r.name.c_str(), r.value, 100.0 * r.value / copy_gbs);
  double peak = 0;
  for (const Rate& r : gemm_rows)
    if (r.name.find("peak") != std::string::npos) peak = std::max(peak, r.value);
  std::printf("\nGEMM vs the device's measured bf16 peak (%.1f TFLOP/s: best 8192^3 rate of llmj%s):\n", peak,
              lt ? " and cuBLASLt" : "; cuBLASLt not loadable");
  for (const Rate& r : gemm_rows) std::printf("  %-60s %8.1f TFLOP/s  %5.1f%%\n", r.name.c_str(), r.value, 100.0 * r.value / peak);
  std::printf("\nops check: %s\n", all_ok ? "PASS" : "FAIL");
  return all_ok ? 0 : 1;
}
