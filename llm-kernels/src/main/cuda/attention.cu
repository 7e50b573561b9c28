// Causal (or full) flash attention, forward and backward, behind the C interface of llmj_cuda.h:
// argument checks, workspace layout, and the dispatch to the tensor-core kernels (bf16, fp16;
// attention_mma.cuh) or the fp32 FMA kernels (attention_fp32.cuh).
#include <cmath>
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "attention_fp32.cuh"
#include "attention_mma.cuh"
#include "status.cuh"

namespace llmj_attention {
namespace {

constexpr int MAX_GRID_Y = 65535;


// Shared checks of forward and backward; `fn` names the entry point in the message.
llmj_status check_shape(const char* fn, llmj_dtype dtype, int B, int T, int H, int Hkv, int D, int causal,
                        float scale) {
  if (dtype != LLMJ_F32 && dtype != LLMJ_BF16 && dtype != LLMJ_F16)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: dtype = %d is not a llmj_dtype; use LLMJ_F32, LLMJ_BF16 or LLMJ_F16", fn,
                     (int)dtype);
  if (D != 64 && D != 128)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: head size D = %d is not supported; use D = 64 or D = 128", fn, D);
  if (B < 1 || T < 1 || H < 1 || Hkv < 1)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: B = %d, T = %d, H = %d, Hkv = %d; each must be at least 1", fn, B, T, H,
                     Hkv);
  if (H % Hkv != 0)
    return llmj_fail(LLMJ_BAD_ARGUMENT,
                     "%s: H = %d query heads is not a multiple of Hkv = %d key/value heads; choose Hkv dividing H", fn,
                     H, Hkv);
  if ((long long)B * H > INT32_MAX)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: B * H = %lld exceeds %d; split the batch", fn, (long long)B * H,
                     INT32_MAX);
  // The fp32 kernels have the smallest tiles (32 rows), so they bound T through the grid's y size.
  if ((T + F32_TILE - 1) / F32_TILE > MAX_GRID_Y)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: T = %d exceeds the longest supported sequence %d; shorten it", fn, T,
                     MAX_GRID_Y * F32_TILE);
  if (causal != 0 && causal != 1)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: causal = %d; pass 1 for the causal mask or 0 for none", fn, causal);
  if (!std::isfinite(scale))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: scale = %g is not finite; pass e.g. 1 / sqrt(D)", fn, (double)scale);
  return LLMJ_OK;
}

// 16-bit tensors are copied in 16-byte chunks (cp.async); fp32 tensors, lse and the workspace are
// read a float at a time.
size_t alignment(llmj_dtype dtype) { return dtype == LLMJ_F32 ? 4 : 16; }

llmj_status check_pointer(const char* fn, const char* name, const void* p, size_t align) {
  if (p == nullptr) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: %s is NULL; pass a device buffer", fn, name);
  if (reinterpret_cast<uintptr_t>(p) % align != 0)
    return llmj_fail(LLMJ_BAD_ARGUMENT,
                     "%s: %s = %p is not %zu-byte aligned; pass a buffer from cudaMalloc or llmj_malloc (or an "
                     "offset that keeps that alignment)",
                     fn, name, p, align);
  return LLMJ_OK;
}

#define LLMJ_TRY(call)                  \
  do {                                  \
    llmj_status s_ = (call);            \
    if (s_ != LLMJ_OK) return s_;       \
  } while (0)

// Kernels above 48 KiB of dynamic shared memory must opt in; cheap, and per device, so done per launch.
template <class K>
llmj_status allow_smem(const char* fn, K kernel, size_t bytes) {
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  if (e != cudaSuccess) {
    cudaGetLastError();
    return llmj_fail(LLMJ_UNSUPPORTED, "%s: the device cannot give %zu bytes of shared memory per block (%s)", fn,
                     bytes, cudaGetErrorString(e));
  }
  return LLMJ_OK;
}

template <typename E, int D>
llmj_status forward_tc(const void* q, const void* k, const void* v, void* out, float* lse, int B, int T, int H,
                       int Hkv, int causal, float scale, cudaStream_t stream) {
  const size_t smem = forward_smem<D>();
  LLMJ_TRY(allow_smem("llmj_attention_forward", forward_mma<E, D>, smem));
  const dim3 grid(B * H, (T + FWD_ROWS - 1) / FWD_ROWS);
  forward_mma<E, D><<<grid, FWD_THREADS, smem, stream>>>(static_cast<const E*>(q), static_cast<const E*>(k),
                                                        static_cast<const E*>(v), static_cast<E*>(out), lse, T, H,
                                                        Hkv, causal, scale * LOG2E);
  return llmj_check_launch("llmj_attention_forward: forward_mma");
}

template <int D>
llmj_status forward_fp32(const void* q, const void* k, const void* v, void* out, float* lse, int B, int T, int H,
                         int Hkv, int causal, float scale, cudaStream_t stream) {
  const size_t smem = forward_smem_f32<D>();
  LLMJ_TRY(allow_smem("llmj_attention_forward", forward_f32<D>, smem));
  const dim3 grid(B * H, (T + F32_TILE - 1) / F32_TILE);
  forward_f32<D><<<grid, F32_THREADS, smem, stream>>>(static_cast<const float*>(q), static_cast<const float*>(k),
                                                      static_cast<const float*>(v), static_cast<float*>(out), lse, T,
                                                      H, Hkv, causal, scale);
  return llmj_check_launch("llmj_attention_forward: forward_f32");
}

// delta[b, h, t] = sum_d dO[b, t, h, d] * O[b, t, h, d] in fp32: one warp per (b, t, h) row.
template <typename E, int D>
__global__ void __launch_bounds__(256) row_dot(const E* __restrict__ dout, const E* __restrict__ out,
                                               float* __restrict__ delta, int T, int H, size_t rows) {
  const size_t row = (size_t)blockIdx.x * 8 + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = threadIdx.x % 32;
  float sum = 0.f;
#pragma unroll
  for (int d = lane; d < D; d += 32)
    sum = fmaf(static_cast<float>(dout[row * D + d]), static_cast<float>(out[row * D + d]), sum);
  sum = warp_sum(sum);
  if (lane == 0) {
    const size_t bt = row / H;
    const int h = (int)(row % H), t = (int)(bt % T);
    delta[(bt / T * H + h) * T + t] = sum;
  }
}

template <typename E>
__global__ void __launch_bounds__(256) to_dtype(const float* __restrict__ src, E* __restrict__ dst, size_t n) {
  for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
    dst[i] = static_cast<E>(src[i]);
}

struct Workspace {
  size_t delta_bytes, accum_bytes;
  size_t total() const { return delta_bytes + accum_bytes; }
};

// delta (B, H, T) floats, then for 16-bit types the fp32 dQ accumulator (B, T, H, D); fp32 adds
// its dQ straight into dq. Offsets kept 256-byte aligned.
Workspace workspace_layout(llmj_dtype dtype, int B, int T, int H, int D) {
  const size_t rows = (size_t)B * H * T;
  const size_t delta = (rows * 4 + 255) / 256 * 256;
  return {delta, dtype == LLMJ_F32 ? 0 : rows * D * 4};
}

template <typename E, int D>
llmj_status backward_run(const void* q, const void* k, const void* v, const void* out, const float* lse,
                         const void* dout, void* dq, void* dk, void* dv, unsigned char* work, int B, int T, int H,
                         int Hkv, int causal, float scale, cudaStream_t stream) {
  const char* fn = "llmj_attention_backward";
  constexpr bool FP32 = sizeof(E) == 4;
  const Workspace layout = workspace_layout(FP32 ? LLMJ_F32 : LLMJ_BF16, B, T, H, D);
  float* delta = reinterpret_cast<float*>(work);
  float* accum = FP32 ? static_cast<float*>(dq) : reinterpret_cast<float*>(work + layout.delta_bytes);
  const size_t rows = (size_t)B * T * H;

  cudaError_t e = cudaMemsetAsync(accum, 0, rows * D * sizeof(float), stream);
  if (e != cudaSuccess) return llmj_fail(LLMJ_CUDA_ERROR, "%s: zeroing dq: %s", fn, cudaGetErrorString(e));
  row_dot<E, D><<<(unsigned)((rows + 7) / 8), 256, 0, stream>>>(static_cast<const E*>(dout), static_cast<const E*>(out),
                                                                 delta, T, H, rows);
  LLMJ_TRY(llmj_check_launch("llmj_attention_backward: row_dot"));

  if constexpr (FP32) {
    const size_t smem = backward_smem_f32<D>();
    LLMJ_TRY(allow_smem(fn, backward_f32<D>, smem));
    const dim3 grid(B * Hkv, (T + F32_TILE - 1) / F32_TILE);
    backward_f32<D><<<grid, F32_THREADS, smem, stream>>>(
        static_cast<const float*>(q), static_cast<const float*>(k), static_cast<const float*>(v),
        static_cast<const float*>(dout), lse, delta, accum, static_cast<float*>(dk), static_cast<float*>(dv), T, H,
        Hkv, causal, scale);
    return llmj_check_launch("llmj_attention_backward: backward_f32");
  } else {
    const size_t smem = backward_smem<D>();
    LLMJ_TRY(allow_smem(fn, backward_mma<E, D>, smem));
    const dim3 grid(B * Hkv, (T + BWD_KEYS - 1) / BWD_KEYS);
    backward_mma<E, D><<<grid, BWD_THREADS, smem, stream>>>(
        static_cast<const E*>(q), static_cast<const E*>(k), static_cast<const E*>(v), static_cast<const E*>(dout), lse,
        delta, accum, static_cast<E*>(dk), static_cast<E*>(dv), T, H, Hkv, causal, scale, scale * LOG2E);
    LLMJ_TRY(llmj_check_launch("llmj_attention_backward: backward_mma"));
    const size_t n = rows * D;
    const unsigned blocks = (unsigned)((n + 255) / 256 < 65536 ? (n + 255) / 256 : 65536);
    to_dtype<E><<<blocks, 256, 0, stream>>>(accum, static_cast<E*>(dq), n);
    return llmj_check_launch("llmj_attention_backward: to_dtype");
  }
}

template <int D>
llmj_status forward_dispatch(llmj_dtype dtype, const void* q, const void* k, const void* v, void* out, float* lse,
                             int B, int T, int H, int Hkv, int causal, float scale, cudaStream_t stream) {
  switch (dtype) {
    case LLMJ_BF16: return forward_tc<__nv_bfloat16, D>(q, k, v, out, lse, B, T, H, Hkv, causal, scale, stream);
    case LLMJ_F16: return forward_tc<__half, D>(q, k, v, out, lse, B, T, H, Hkv, causal, scale, stream);
    default: return forward_fp32<D>(q, k, v, out, lse, B, T, H, Hkv, causal, scale, stream);
  }
}

template <int D>
llmj_status backward_dispatch(llmj_dtype dtype, const void* q, const void* k, const void* v, const void* out,
                              const float* lse, const void* dout, void* dq, void* dk, void* dv, unsigned char* work,
                              int B, int T, int H, int Hkv, int causal, float scale, cudaStream_t stream) {
  switch (dtype) {
    case LLMJ_BF16:
      return backward_run<__nv_bfloat16, D>(q, k, v, out, lse, dout, dq, dk, dv, work, B, T, H, Hkv, causal, scale,
                                            stream);
    case LLMJ_F16:
      return backward_run<__half, D>(q, k, v, out, lse, dout, dq, dk, dv, work, B, T, H, Hkv, causal, scale, stream);
    default:
      return backward_run<float, D>(q, k, v, out, lse, dout, dq, dk, dv, work, B, T, H, Hkv, causal, scale, stream);
  }
}

}  // namespace
}  // namespace llmj_attention

using namespace llmj_attention;

extern "C" llmj_status llmj_attention_forward(llmj_dtype dtype, const void* q, const void* k, const void* v,
                                              void* out, float* lse, int B, int T, int H, int Hkv, int D, int causal,
                                              float scale, void* stream) {
  const char* fn = "llmj_attention_forward";
  LLMJ_TRY(check_shape(fn, dtype, B, T, H, Hkv, D, causal, scale));
  const size_t align = alignment(dtype);
  LLMJ_TRY(check_pointer(fn, "q", q, align));
  LLMJ_TRY(check_pointer(fn, "k", k, align));
  LLMJ_TRY(check_pointer(fn, "v", v, align));
  LLMJ_TRY(check_pointer(fn, "out", out, align));
  LLMJ_TRY(check_pointer(fn, "lse", lse, 4));
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  return D == 64 ? forward_dispatch<64>(dtype, q, k, v, out, lse, B, T, H, Hkv, causal, scale, s)
                 : forward_dispatch<128>(dtype, q, k, v, out, lse, B, T, H, Hkv, causal, scale, s);
}

extern "C" size_t llmj_attention_backward_workspace(llmj_dtype dtype, int B, int T, int H, int Hkv, int D) {
  if (B < 1 || T < 1 || H < 1 || Hkv < 1 || D < 1) return 0;
  return workspace_layout(dtype, B, T, H, D).total();
}

extern "C" llmj_status llmj_attention_backward(llmj_dtype dtype, const void* q, const void* k, const void* v,
                                               const void* out, const float* lse, const void* dout, void* dq,
                                               void* dk, void* dv, void* workspace, size_t workspace_bytes, int B,
                                               int T, int H, int Hkv, int D, int causal, float scale, void* stream) {
  const char* fn = "llmj_attention_backward";
  LLMJ_TRY(check_shape(fn, dtype, B, T, H, Hkv, D, causal, scale));
  const void* pointers[] = {q, k, v, out, dout, dq, dk, dv};
  const char* names[] = {"q", "k", "v", "out", "dout", "dq", "dk", "dv"};
  for (int i = 0; i < 8; i++) LLMJ_TRY(check_pointer(fn, names[i], pointers[i], alignment(dtype)));
  LLMJ_TRY(check_pointer(fn, "lse", lse, 4));
  LLMJ_TRY(check_pointer(fn, "workspace", workspace, 4));
  const size_t need = llmj_attention_backward_workspace(dtype, B, T, H, Hkv, D);
  if (workspace_bytes < need)
    return llmj_fail(LLMJ_BAD_ARGUMENT,
                     "%s: workspace_bytes = %zu is less than the %zu bytes these sizes need; allocate "
                     "llmj_attention_backward_workspace(...) bytes",
                     fn, workspace_bytes, need);
  cudaStream_t s = static_cast<cudaStream_t>(stream);
  unsigned char* work = static_cast<unsigned char*>(workspace);
  return D == 64 ? backward_dispatch<64>(dtype, q, k, v, out, lse, dout, dq, dk, dv, work, B, T, H, Hkv, causal,
                                         scale, s)
                 : backward_dispatch<128>(dtype, q, k, v, out, lse, dout, dq, dk, dv, work, B, T, H, Hkv, causal,
                                          scale, s);
}
