// Fused softmax cross-entropy: one block per row of logits. Pass 1 reads the row once, keeping a
// running (max, sum of exp) per thread; the block merges them. Pass 2 reads the row again (from L2
// for a 50k vocabulary row of 100-200 KB) and writes the gradient, so loss and dlogits take one
// launch and the probabilities never exist in global memory.
#include <cmath>

#include "kernel_common.cuh"

namespace llmj {
namespace {

// Merges the running pair (m2, s2) into (m, s): s is the sum of exp(x - m) over the values seen.
__device__ __forceinline__ void merge_max_sum(float& m, float& s, float m2, float s2) {
  float mx = fmaxf(m, m2);
  if (mx == -INFINITY) return;  // both sides saw nothing (or only -inf)
  s = s * expf(m - mx) + s2 * expf(m2 - mx);
  m = mx;
}

// Block-wide merge; every thread returns with the row's (max, sum).
__device__ void block_max_sum(float& m, float& s) {
  __shared__ float sm[32], ss[32];
  for (int o = 16; o > 0; o >>= 1) {
    float m2 = __shfl_xor_sync(0xffffffffu, m, o);
    float s2 = __shfl_xor_sync(0xffffffffu, s, o);
    merge_max_sum(m, s, m2, s2);
  }
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  if (lane == 0) { sm[warp] = m; ss[warp] = s; }
  __syncthreads();
  if (warp == 0) {
    m = lane < warps ? sm[lane] : -INFINITY;
    s = lane < warps ? ss[lane] : 0.0f;
    for (int o = 16; o > 0; o >>= 1) {
      float m2 = __shfl_xor_sync(0xffffffffu, m, o);
      float s2 = __shfl_xor_sync(0xffffffffu, s, o);
      merge_max_sum(m, s, m2, s2);
    }
    if (lane == 0) { sm[0] = m; ss[0] = s; }
  }
  __syncthreads();
  m = sm[0];
  s = ss[0];
}

// grid: N blocks; block: a multiple of 32 threads. W: elements per access (1, or 16 bytes' worth
// when V and both row pointers allow it).
template <class T, int W>
__global__ void softmax_xent_kernel(const T* logits, const int32_t* targets, float* losses, T* dlogits,
                                    float dloss, int ignore_index, int V) {
  const long long row = blockIdx.x;
  const T* x = logits + row * V;
  T* dx = dlogits == nullptr ? nullptr : dlogits + row * V;
  const int target = targets[row];
  if (target == ignore_index) {
    if (threadIdx.x == 0) losses[row] = 0.0f;
    if (dx != nullptr) {
      float zero[W] = {};
      for (int i = threadIdx.x * W; i < V; i += blockDim.x * W) store_floats<T, W>(dx + i, zero);
    }
    return;
  }
  const bool valid = target >= 0 && target < V;
  // Read before the block merge's barrier: with dlogits == logits, pass 2 overwrites x[target].
  const float target_logit = threadIdx.x == 0 && valid ? to_float(x[target]) : 0.0f;

  float m = -INFINITY, s = 0.0f;
  for (int i = threadIdx.x * W; i < V; i += blockDim.x * W) {
    float v[W];
    load_floats<T, W>(x + i, v);
    float mx = v[0];
#pragma unroll
    for (int j = 1; j < W; j++) mx = fmaxf(mx, v[j]);
    float mn = fmaxf(m, mx);
    if (mn == -INFINITY) continue;
    float acc = s * expf(m - mn);
#pragma unroll
    for (int j = 0; j < W; j++) acc += expf(v[j] - mn);
    s = acc;
    m = mn;
  }
  block_max_sum(m, s);

  // An out-of-range target has no defined loss: NaN makes the caller's loss visibly wrong
  // instead of silently training on a made-up class.
  if (threadIdx.x == 0) losses[row] = valid ? m + logf(s) - target_logit : NAN;
  if (dx == nullptr) return;
  const float inv = 1.0f / s;
  for (int i = threadIdx.x * W; i < V; i += blockDim.x * W) {
    float v[W], g[W];
    load_floats<T, W>(x + i, v);
#pragma unroll
    for (int j = 0; j < W; j++) g[j] = dloss * (expf(v[j] - m) * inv - (i + j == target ? 1.0f : 0.0f));
    store_floats<T, W>(dx + i, g);
  }
}

}  // namespace
}  // namespace llmj

// dlogits may be NULL: only the losses are written (evaluation).
extern "C" llmj_status llmj_softmax_xent(llmj_dtype dtype, const void* logits, const int32_t* targets,
                                         float* losses, void* dlogits, float dloss, int ignore_index, int N,
                                         int V, void* stream) {
  using namespace llmj;
  const char* fn = "llmj_softmax_xent";
  if (N < 0) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: N = %d rows must be >= 0", fn, N);
  if (V < 1) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: V = %d must be >= 1 (the vocabulary size)", fn, V);
  if (N == 0) return LLMJ_OK;
  if (logits == nullptr || targets == nullptr || losses == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: logits, targets and losses must be device pointers, got %p, %p, %p",
                     fn, logits, (const void*)targets, (void*)losses);
  return with_dtype(dtype, fn, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool vec = V % kVec<T> == 0 && aligned16(logits) && (dlogits == nullptr || aligned16(dlogits));
    return with_width<T>(vec, [&](auto w) {
      constexpr int W = decltype(w)::value;
      // Enough threads that each has a few packs of a long row; small vocabularies get one warp.
      int threads = (int)std::min(512LL, std::max(32LL, ((V / W + 31) / 32) * 32LL));
      softmax_xent_kernel<T, W><<<N, threads, 0, as_stream(stream)>>>(
          static_cast<const T*>(logits), targets, losses, static_cast<T*>(dlogits), dloss, ignore_index, V);
      return llmj_check_launch(fn);
    });
  });
}
