// Pieces every llmj kernel file shares: element conversion to and from fp32, 16-byte packed
// loads and stores, warp reductions, the dtype dispatch and argument-check helpers.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "llmj_cuda.h"
#include "status.cuh"

namespace llmj {

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }

template <class T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ float from_float<float>(float x) { return x; }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) { return __float2bfloat16_rn(x); }
template <> __device__ __forceinline__ __half from_float<__half>(float x) { return __float2half_rn(x); }

// Elements of T in one 16-byte access.
template <class T> constexpr int kVec = 16 / (int)sizeof(T);

// Loads W consecutive elements at p as floats. W is 1 or kVec<T>; with kVec<T>, p must be
// 16-byte aligned and the load is one 128-bit transaction.
template <class T, int W>
__device__ __forceinline__ void load_floats(const T* p, float (&out)[W]) {
  if constexpr (W * sizeof(T) == 16) {
    int4 raw = *reinterpret_cast<const int4*>(p);
    T v[W];
    memcpy(v, &raw, 16);
#pragma unroll
    for (int j = 0; j < W; j++) out[j] = to_float(v[j]);
  } else {
#pragma unroll
    for (int j = 0; j < W; j++) out[j] = to_float(p[j]);
  }
}

template <class T, int W>
__device__ __forceinline__ void store_floats(T* p, const float (&in)[W]) {
  if constexpr (W * sizeof(T) == 16) {
    T v[W];
#pragma unroll
    for (int j = 0; j < W; j++) v[j] = from_float<T>(in[j]);
    int4 raw;
    memcpy(&raw, v, 16);
    *reinterpret_cast<int4*>(p) = raw;
  } else {
#pragma unroll
    for (int j = 0; j < W; j++) p[j] = from_float<T>(in[j]);
  }
}

__device__ __forceinline__ float warp_sum(float x) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

// tanh-form GELU and its derivative, both evaluated in fp32.
__device__ __forceinline__ float gelu_tanh(float x) {
  const float k = 0.7978845608028654f;  // sqrt(2 / pi)
  float t = tanhf(k * (x + 0.044715f * x * x * x));
  return 0.5f * x * (1.0f + t);
}
__device__ __forceinline__ float gelu_tanh_grad(float x) {
  const float k = 0.7978845608028654f;
  float t = tanhf(k * (x + 0.044715f * x * x * x));
  return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * k * (1.0f + 3.0f * 0.044715f * x * x);
}

template <class T> struct TypeTag { using type = T; };

// Calls f(TypeTag<T>{}) for the C type of `dtype`, or fails naming the function and the value.
template <class F>
llmj_status with_dtype(llmj_dtype dtype, const char* fn, F&& f) {
  switch (dtype) {
    case LLMJ_F32: return f(TypeTag<float>{});
    case LLMJ_BF16: return f(TypeTag<__nv_bfloat16>{});
    case LLMJ_F16: return f(TypeTag<__half>{});
  }
  return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: dtype %d is not LLMJ_F32 (0), LLMJ_BF16 (1) or LLMJ_F16 (2)", fn, (int)dtype);
}

// Calls f with std::integral_constant<int, W>: kVec<T> when `vectorise` holds, else 1, so one
// kernel body serves both the 16-byte path and the element-by-element path for odd sizes.
template <class T, class F>
llmj_status with_width(bool vectorise, F&& f) {
  if (vectorise) return f(std::integral_constant<int, kVec<T>>{});
  return f(std::integral_constant<int, 1>{});
}

__host__ __device__ inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }

inline cudaStream_t as_stream(void* stream) { return static_cast<cudaStream_t>(stream); }

inline int ceil_div(long long a, long long b) { return (int)((a + b - 1) / b); }

}  // namespace llmj
