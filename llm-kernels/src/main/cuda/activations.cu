// bias + GELU (tanh form) and SwiGLU, forward and backward, all math in fp32.
//
// Forward passes and SwiGLU's backward are elementwise: a grid-stride loop over packs of W
// elements (16 bytes when sizes and pointers allow). bias + GELU backward also sums dbias over the
// rows, so it uses the row-block layout of the norms' backward: a block owns kRows rows, a thread
// owns a column pack, sums its column in registers and adds it to dbias with one atomicAdd per
// column per block (order, and so dbias's last bits, varies from run to run).
#include <cmath>

#include "kernel_common.cuh"

namespace llmj {
namespace {

constexpr int kThreads = 256;
constexpr int kRows = 32;
// Blocks of a grid-stride launch: enough to fill any current GPU several times over.
constexpr long long kMaxBlocks = 65536;

int elementwise_blocks(long long packs) { return (int)std::min(kMaxBlocks, std::max(1LL, (packs + kThreads - 1) / kThreads)); }

// Requires C % W == 0, so a pack never straddles two rows and one bias pack serves it.
template <class T, int W>
__global__ void bias_gelu_forward_kernel(T* out, const T* inp, const T* bias, long long n, int C) {
  for (long long i = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * W; i < n;
       i += (long long)gridDim.x * blockDim.x * W) {
    float x[W], b[W] = {};
    load_floats<T, W>(inp + i, x);
    if (bias != nullptr) load_floats<T, W>(bias + i % C, b);
#pragma unroll
    for (int j = 0; j < W; j++) x[j] = gelu_tanh(x[j] + b[j]);
    store_floats<T, W>(out + i, x);
  }
}

template <class T, int W>
__global__ void bias_gelu_backward_kernel(T* dinp, float* dbias, const T* dout, const T* inp, const T* bias, int N,
                                          int C) {
  const long long row0 = (long long)blockIdx.x * kRows;
  const int rows = N - row0 < kRows ? (int)(N - row0) : kRows;
  for (int c = threadIdx.x * W; c < C; c += blockDim.x * W) {
    float b[W] = {}, db[W] = {};
    if (bias != nullptr) load_floats<T, W>(bias + c, b);
    for (int r = 0; r < rows; r++) {
      const long long off = (row0 + r) * C + c;
      float dy[W], x[W];
      load_floats<T, W>(dout + off, dy);
      load_floats<T, W>(inp + off, x);
#pragma unroll
      for (int j = 0; j < W; j++) {
        x[j] = dy[j] * gelu_tanh_grad(x[j] + b[j]);
        db[j] += x[j];
      }
      store_floats<T, W>(dinp + off, x);
    }
    if (dbias != nullptr) {
#pragma unroll
      for (int j = 0; j < W; j++) atomicAdd(dbias + c + j, db[j]);
    }
  }
}

__device__ __forceinline__ float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

// Elementwise over n; W > 1 only when n % W == 0.
template <class T, int W>
__global__ void swiglu_forward_kernel(T* out, const T* gate, const T* up, long long n) {
  for (long long i = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * W; i < n;
       i += (long long)gridDim.x * blockDim.x * W) {
    float g[W], u[W];
    load_floats<T, W>(gate + i, g);
    load_floats<T, W>(up + i, u);
#pragma unroll
    for (int j = 0; j < W; j++) g[j] = g[j] * sigmoid(g[j]) * u[j];
    store_floats<T, W>(out + i, g);
  }
}

template <class T, int W>
__global__ void swiglu_backward_kernel(T* dgate, T* dup, const T* dout, const T* gate, const T* up, long long n) {
  for (long long i = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * W; i < n;
       i += (long long)gridDim.x * blockDim.x * W) {
    float dy[W], g[W], u[W], dg[W], du[W];
    load_floats<T, W>(dout + i, dy);
    load_floats<T, W>(gate + i, g);
    load_floats<T, W>(up + i, u);
#pragma unroll
    for (int j = 0; j < W; j++) {
      float s = sigmoid(g[j]);
      du[j] = dy[j] * g[j] * s;
      // d silu(g) / dg = s + g s (1 - s)
      dg[j] = dy[j] * u[j] * s * (1.0f + g[j] * (1.0f - s));
    }
    store_floats<T, W>(dgate + i, dg);
    store_floats<T, W>(dup + i, du);
  }
}

llmj_status check_shape(const char* fn, int N, int C) {
  if (N < 0) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: N = %d rows must be >= 0", fn, N);
  if (C < 1) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: C = %d channels must be >= 1", fn, C);
  return LLMJ_OK;
}

bool all_aligned(std::initializer_list<const void*> ps) {
  for (const void* p : ps)
    if (p != nullptr && !aligned16(p)) return false;
  return true;
}

}  // namespace
}  // namespace llmj

using namespace llmj;

extern "C" llmj_status llmj_bias_gelu_forward(llmj_dtype dtype, void* out, const void* inp, const void* bias, int N,
                                              int C, void* stream) {
  const char* fn = "llmj_bias_gelu_forward";
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (N == 0) return LLMJ_OK;
  if (out == nullptr || inp == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: out and inp must be device pointers, got %p, %p", fn, out, inp);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return with_width<T>(C % kVec<T> == 0 && all_aligned({out, inp, bias}), [&](auto w) {
      constexpr int W = decltype(w)::value;
      const long long n = (long long)N * C;
      bias_gelu_forward_kernel<T, W><<<elementwise_blocks(n / W), kThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(out), static_cast<const T*>(inp), static_cast<const T*>(bias), n, C);
      return llmj_check_launch(fn);
    });
  });
}

// dbias may be NULL (no bias gradient wanted); bias may be NULL (GELU of inp alone).
extern "C" llmj_status llmj_bias_gelu_backward(llmj_dtype dtype, void* dinp, float* dbias, const void* dout,
                                               const void* inp, const void* bias, int N, int C, void* stream) {
  const char* fn = "llmj_bias_gelu_backward";
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (N == 0) return LLMJ_OK;
  if (dinp == nullptr || dout == nullptr || inp == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: dinp, dout and inp must be device pointers, got %p, %p, %p", fn, dinp,
                     dout, inp);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return with_width<T>(C % kVec<T> == 0 && all_aligned({dinp, dout, inp, bias}), [&](auto w) {
      constexpr int W = decltype(w)::value;
      bias_gelu_backward_kernel<T, W><<<ceil_div(N, kRows), kThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(dinp), dbias, static_cast<const T*>(dout), static_cast<const T*>(inp),
          static_cast<const T*>(bias), N, C);
      return llmj_check_launch(fn);
    });
  });
}

extern "C" llmj_status llmj_swiglu_forward(llmj_dtype dtype, void* out, const void* gate, const void* up, int N, int C,
                                           void* stream) {
  const char* fn = "llmj_swiglu_forward";
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (N == 0) return LLMJ_OK;
  if (out == nullptr || gate == nullptr || up == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: out, gate and up must be device pointers, got %p, %p, %p", fn, out, gate,
                     up);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const long long n = (long long)N * C;
    return with_width<T>(n % kVec<T> == 0 && all_aligned({out, gate, up}), [&](auto w) {
      constexpr int W = decltype(w)::value;
      swiglu_forward_kernel<T, W><<<elementwise_blocks(n / W), kThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(out), static_cast<const T*>(gate), static_cast<const T*>(up), n);
      return llmj_check_launch(fn);
    });
  });
}

extern "C" llmj_status llmj_swiglu_backward(llmj_dtype dtype, void* dgate, void* dup, const void* dout,
                                            const void* gate, const void* up, int N, int C, void* stream) {
  const char* fn = "llmj_swiglu_backward";
  if (llmj_status s = check_shape(fn, N, C)) return s;
  if (N == 0) return LLMJ_OK;
  if (dgate == nullptr || dup == nullptr || dout == nullptr || gate == nullptr || up == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: dgate, dup, dout, gate and up must be device pointers, got %p, %p, %p, %p, %p",
                     fn, dgate, dup, dout, gate, up);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const long long n = (long long)N * C;
    return with_width<T>(n % kVec<T> == 0 && all_aligned({dgate, dup, dout, gate, up}), [&](auto w) {
      constexpr int W = decltype(w)::value;
      swiglu_backward_kernel<T, W><<<elementwise_blocks(n / W), kThreads, 0, as_stream(stream)>>>(
          static_cast<T*>(dgate), static_cast<T*>(dup), static_cast<const T*>(dout), static_cast<const T*>(gate),
          static_cast<const T*>(up), n);
      return llmj_check_launch(fn);
    });
  });
}
