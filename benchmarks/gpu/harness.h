// Shared pieces of the GPU check-and-benchmark programs: error checks, seeded random inputs on the
// host, conversion to the kernels' data types, poisoned outputs, comparison against a double
// reference, and CUDA-event timing (median of many runs after warm-up).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "llmj_cuda.h"

#define CHECK_CUDA(call)                                                                       \
  do {                                                                                         \
    cudaError_t e_ = (call);                                                                   \
    if (e_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(2);                                                                            \
    }                                                                                          \
  } while (0)

#define CHECK_LLMJ(call)                                                                       \
  do {                                                                                         \
    llmj_status s_ = (call);                                                                   \
    if (s_ != LLMJ_OK) {                                                                       \
      std::fprintf(stderr, "%s:%d: %s: status %d: %s\n", __FILE__, __LINE__, #call, (int)s_,   \
                   llmj_last_error());                                                         \
      std::exit(2);                                                                            \
    }                                                                                          \
  } while (0)

namespace harness {

inline size_t dtype_bytes(llmj_dtype t) { return t == LLMJ_F32 ? 4 : 2; }
inline const char* dtype_name(llmj_dtype t) { return t == LLMJ_F32 ? "fp32" : t == LLMJ_BF16 ? "bf16" : "fp16"; }
// The relative error a kernel of this type must stay under (fp32 1e-5, 16-bit 1e-2).
inline double tolerance(llmj_dtype t) { return t == LLMJ_F32 ? 1e-5 : 1e-2; }

// Normal(0, stddev) values from a fixed seed, already rounded to `t` so the reference sees the
// exact inputs the kernel sees.
inline std::vector<double> random_values(size_t n, uint64_t seed, double stddev, llmj_dtype t) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, stddev);
  std::vector<double> x(n);
  for (auto& e : x) {
    float f = (float)normal(rng);
    if (t == LLMJ_BF16) f = __bfloat162float(__float2bfloat16(f));
    if (t == LLMJ_F16) f = __half2float(__float2half(f));
    e = f;
  }
  return x;
}

// A device buffer of `t` holding `x`.
inline void* to_device(const std::vector<double>& x, llmj_dtype t) {
  std::vector<uint8_t> bytes(x.size() * dtype_bytes(t));
  for (size_t i = 0; i < x.size(); i++) {
    if (t == LLMJ_F32) reinterpret_cast<float*>(bytes.data())[i] = (float)x[i];
    if (t == LLMJ_BF16) reinterpret_cast<__nv_bfloat16*>(bytes.data())[i] = __float2bfloat16((float)x[i]);
    if (t == LLMJ_F16) reinterpret_cast<__half*>(bytes.data())[i] = __float2half((float)x[i]);
  }
  void* d = nullptr;
  CHECK_CUDA(cudaMalloc(&d, bytes.size()));
  CHECK_CUDA(cudaMemcpy(d, bytes.data(), bytes.size(), cudaMemcpyHostToDevice));
  return d;
}

// Fills a device buffer with NaN bit patterns (0xFF bytes) so an element a kernel forgets to write fails.
inline void poison(void* d, size_t bytes) { CHECK_CUDA(cudaMemset(d, 0xFF, bytes)); }

inline std::vector<double> to_host(const void* d, size_t n, llmj_dtype t) {
  std::vector<uint8_t> bytes(n * dtype_bytes(t));
  CHECK_CUDA(cudaMemcpy(bytes.data(), d, bytes.size(), cudaMemcpyDeviceToHost));
  std::vector<double> x(n);
  for (size_t i = 0; i < n; i++) {
    if (t == LLMJ_F32) x[i] = reinterpret_cast<const float*>(bytes.data())[i];
    if (t == LLMJ_BF16) x[i] = __bfloat162float(reinterpret_cast<const __nv_bfloat16*>(bytes.data())[i]);
    if (t == LLMJ_F16) x[i] = __half2float(reinterpret_cast<const __half*>(bytes.data())[i]);
  }
  return x;
}

// Worst error of `got` against `want`, relative to the largest |want| (so tiny elements of a
// tensor are judged on the tensor's scale); NaN or a length mismatch is infinitely wrong.
inline double relative_error(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return INFINITY;
  double scale = 0, worst = 0;
  for (double w : want) scale = std::max(scale, std::fabs(w));
  if (scale == 0) scale = 1;
  for (size_t i = 0; i < got.size(); i++) {
    if (!std::isfinite(got[i])) return INFINITY;
    worst = std::max(worst, std::fabs(got[i] - want[i]) / scale);
  }
  return worst;
}

// Median milliseconds of `runs` timed calls of f after `warmup` untimed ones, each timed with CUDA events.
template <class F>
double median_ms(F&& f, int warmup = 5, int runs = 50) {
  for (int i = 0; i < warmup; i++) f();
  cudaEvent_t a, b;
  CHECK_CUDA(cudaEventCreate(&a));
  CHECK_CUDA(cudaEventCreate(&b));
  std::vector<float> ms(runs);
  for (int i = 0; i < runs; i++) {
    CHECK_CUDA(cudaEventRecord(a));
    f();
    CHECK_CUDA(cudaEventRecord(b));
    CHECK_CUDA(cudaEventSynchronize(b));
    CHECK_CUDA(cudaEventElapsedTime(&ms[i], a, b));
  }
  CHECK_CUDA(cudaEventDestroy(a));
  CHECK_CUDA(cudaEventDestroy(b));
  std::sort(ms.begin(), ms.end());
  return ms[runs / 2];
}

// One result line: kernel, case, check (PASS/FAIL with the error and its bound), speed.
inline bool report(const char* kernel, const char* shape, llmj_dtype t, double error, double ms,
                   const char* unit, double amount) {
  bool ok = error <= tolerance(t);
  std::printf("| %-22s | %-34s | %-4s | %s %.2e (< %.0e) | %9.3f ms | %8.1f %s |\n", kernel, shape,
              dtype_name(t), ok ? "PASS" : "FAIL", error, tolerance(t), ms, amount / (ms * 1e-3), unit);
  std::fflush(stdout);
  return ok;
}

}  // namespace harness
