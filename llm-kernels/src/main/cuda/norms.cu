// LayerNorm and RMSNorm over the last axis. One template serves both (RMS: no mean, no bias).
//
// Forward: one warp per row, eight rows per 256-thread block. The row is read three times (mean,
// centred variance, output); after the first read it sits in L1/L2, and the centred second pass
// keeps the variance accurate when |mean| >> stddev, which E[x^2] - mean^2 would not.
//
// Backward: a block owns kRows consecutive rows. Phase 1, one warp per row: the row sums
// mean(g) and mean(g * xhat) with g = dout * weight. Phase 2, one thread per column group: walks
// the block's rows writing dinp and summing dweight/dbias for its columns in registers, then adds
// them to the fp32 accumulators with one atomicAdd per column per block (N / kRows adds per
// element; their order, and so the last bits of dweight/dbias, varies from run to run).
#include <cmath>

#include "kernel_common.cuh"

namespace llmj {
namespace {

constexpr int kForwardThreads = 256;
constexpr int kBackwardThreads = 256;
constexpr int kRows = 32;

template <class T, int W, bool RMS>
__global__ void norm_forward_kernel(T* out, float* mean, float* rstd, const T* inp, const T* weight,
                                    const T* bias, int N, int C, float eps) {
  const int lane = threadIdx.x % 32;
  const long long row = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  if (row >= N) return;
  const T* x = inp + row * C;
  float mu = 0.0f;
  if (!RMS) {
    float sum = 0.0f;
    for (int i = lane * W; i < C; i += 32 * W) {
      float v[W];
      load_floats<T, W>(x + i, v);
#pragma unroll
      for (int j = 0; j < W; j++) sum += v[j];
    }
    mu = warp_sum(sum) / C;
  }
  float sq = 0.0f;
  for (int i = lane * W; i < C; i += 32 * W) {
    float v[W];
    load_floats<T, W>(x + i, v);
#pragma unroll
    for (int j = 0; j < W; j++) sq += (v[j] - mu) * (v[j] - mu);
  }
  const float r = 1.0f / sqrtf(warp_sum(sq) / C + eps);
  if (lane == 0) {
    if (!RMS && mean != nullptr) mean[row] = mu;
    if (rstd != nullptr) rstd[row] = r;
  }
  T* y = out + row * C;
  for (int i = lane * W; i < C; i += 32 * W) {
    float v[W], w[W], b[W] = {};
    load_floats<T, W>(x + i, v);
    load_floats<T, W>(weight + i, w);
    if (!RMS && bias != nullptr) load_floats<T, W>(bias + i, b);
#pragma unroll
    for (int j = 0; j < W; j++) v[j] = (v[j] - mu) * r * w[j] + b[j];
    store_floats<T, W>(y + i, v);
  }
}

template <class T, int W, bool RMS>
__global__ void norm_backward_kernel(T* dinp, float* dweight, float* dbias, const T* dout, const T* inp,
                                     const T* weight, const float* mean, const float* rstd, int N, int C) {
  __shared__ float s_mu[kRows], s_rs[kRows], s_g[kRows], s_gx[kRows];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  const long long row0 = (long long)blockIdx.x * kRows;
  const int rows = N - row0 < kRows ? (int)(N - row0) : kRows;

  for (int r = warp; r < rows; r += warps) {
    const long long row = row0 + r;
    const float mu = RMS ? 0.0f : mean[row], rs = rstd[row];
    float sg = 0.0f, sgx = 0.0f;
    for (int i = lane * W; i < C; i += 32 * W) {
      float dy[W], x[W], w[W];
      load_floats<T, W>(dout + row * C + i, dy);
      load_floats<T, W>(inp + row * C + i, x);
      load_floats<T, W>(weight + i, w);
#pragma unroll
      for (int j = 0; j < W; j++) {
        float g = dy[j] * w[j];
        sg += g;
        sgx += g * (x[j] - mu) * rs;
      }
    }
    sg = warp_sum(sg);
    sgx = warp_sum(sgx);
    if (lane == 0) {
      s_mu[r] = mu;
      s_rs[r] = rs;
      s_g[r] = RMS ? 0.0f : sg / C;
      s_gx[r] = sgx / C;
    }
  }
  __syncthreads();

  for (int c = threadIdx.x * W; c < C; c += blockDim.x * W) {
    float w[W], dw[W] = {}, db[W] = {};
    load_floats<T, W>(weight + c, w);
    for (int r = 0; r < rows; r++) {
      const long long off = (row0 + r) * C + c;
      float dy[W], x[W], dx[W];
      load_floats<T, W>(dout + off, dy);
      load_floats<T, W>(inp + off, x);
#pragma unroll
      for (int j = 0; j < W; j++) {
        float xhat = (x[j] - s_mu[r]) * s_rs[r];
        dx[j] = s_rs[r] * (dy[j] * w[j] - s_g[r] - xhat * s_gx[r]);
        dw[j] += dy[j] * xhat;
        db[j] += dy[j];
      }
      store_floats<T, W>(dinp + off, dx);
    }
#pragma unroll
    for (int j = 0; j < W; j++) {
      if (dweight != nullptr) atomicAdd(dweight + c + j, dw[j]);
      if (!RMS && dbias != nullptr) atomicAdd(dbias + c + j, db[j]);
    }
  }
}

llmj_status check_shape(const char* fn, int N, int C) {
  if (N < 0) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: N = %d rows must be >= 0", fn, N);
  if (C < 1) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: C = %d channels must be >= 1", fn, C);
  return LLMJ_OK;
}

template <bool RMS>
llmj_status norm_forward(const char* fn, llmj_dtype dtype, void* out, float* mean, float* rstd, const void* inp,
                         const void* weight, const void* bias, int N, int C, float eps, void* stream) {
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (!(eps >= 0.0f) || std::isinf(eps)) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: eps = %g must be finite and >= 0 (e.g. 1e-5)", fn, eps);
  if (N == 0) return LLMJ_OK;
  if (out == nullptr || inp == nullptr || weight == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: out, inp and weight must be device pointers, got %p, %p, %p", fn, out, inp, weight);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool vec = C % kVec<T> == 0 && aligned16(out) && aligned16(inp) && aligned16(weight) &&
                     (RMS || bias == nullptr || aligned16(bias));
    return with_width<T>(vec, [&](auto w) {
      constexpr int W = decltype(w)::value;
      norm_forward_kernel<T, W, RMS><<<ceil_div(N, kForwardThreads / 32), kForwardThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(out), mean, rstd, static_cast<const T*>(inp), static_cast<const T*>(weight),
          static_cast<const T*>(bias), N, C, eps);
      return llmj_check_launch(fn);
    });
  });
}

template <bool RMS>
llmj_status norm_backward(const char* fn, llmj_dtype dtype, void* dinp, float* dweight, float* dbias, const void* dout,
                          const void* inp, const void* weight, const float* mean, const float* rstd, int N, int C,
                          void* stream) {
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (N == 0) return LLMJ_OK;
  if (dinp == nullptr || dout == nullptr || inp == nullptr || weight == nullptr || rstd == nullptr ||
      (!RMS && mean == nullptr))
    return llmj_fail(LLMJ_BAD_ARGUMENT,
                     "%s: dinp, dout, inp, weight, rstd%s must be device pointers (dinp %p, dout %p, inp %p, "
                     "weight %p, mean %p, rstd %p)",
                     fn, RMS ? "" : " and mean", dinp, dout, inp, weight, (const void*)mean, (const void*)rstd);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool vec = C % kVec<T> == 0 && aligned16(dinp) && aligned16(dout) && aligned16(inp) && aligned16(weight);
    return with_width<T>(vec, [&](auto w) {
      constexpr int W = decltype(w)::value;
      norm_backward_kernel<T, W, RMS><<<ceil_div(N, kRows), kBackwardThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(dinp), dweight, dbias, static_cast<const T*>(dout), static_cast<const T*>(inp),
          static_cast<const T*>(weight), mean, rstd, N, C);
      return llmj_check_launch(fn);
    });
  });
}

}  // namespace
}  // namespace llmj

// mean and rstd may be NULL (inference); bias may be NULL (no shift). dweight and dbias may be NULL
// to skip those gradients.
extern "C" llmj_status llmj_layernorm_forward(llmj_dtype dtype, void* out, float* mean, float* rstd, const void* inp,
                                              const void* weight, const void* bias, int N, int C, float eps,
                                              void* stream) {
  return llmj::norm_forward<false>("llmj_layernorm_forward", dtype, out, mean, rstd, inp, weight, bias, N, C, eps,
                                   stream);
}

extern "C" llmj_status llmj_layernorm_backward(llmj_dtype dtype, void* dinp, float* dweight, float* dbias,
                                               const void* dout, const void* inp, const void* weight,
                                               const float* mean, const float* rstd, int N, int C, void* stream) {
  return llmj::norm_backward<false>("llmj_layernorm_backward", dtype, dinp, dweight, dbias, dout, inp, weight, mean,
                                    rstd, N, C, stream);
}

extern "C" llmj_status llmj_rmsnorm_forward(llmj_dtype dtype, void* out, float* rstd, const void* inp,
                                            const void* weight, int N, int C, float eps, void* stream) {
  return llmj::norm_forward<true>("llmj_rmsnorm_forward", dtype, out, nullptr, rstd, inp, weight, nullptr, N, C, eps,
                                  stream);
}

extern "C" llmj_status llmj_rmsnorm_backward(llmj_dtype dtype, void* dinp, float* dweight, const void* dout,
                                             const void* inp, const void* weight, const float* rstd, int N, int C,
                                             void* stream) {
  return llmj::norm_backward<true>("llmj_rmsnorm_backward", dtype, dinp, dweight, nullptr, dout, inp, weight, nullptr,
                                   rstd, N, C, stream);
}
