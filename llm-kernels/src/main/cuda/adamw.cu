// AdamW over one flat fp32 buffer: one fused elementwise pass reads p, g, m, v (and the decay
// mask) once and writes p, m, v. Bias corrections are computed once on the host in double.
#include <cmath>

#include "kernel_common.cuh"

namespace llmj {
namespace {

constexpr int kThreads = 256;

// W = 4 (16-byte accesses, n % 4 == 0, aligned pointers) or 1.
template <int W>
__global__ void adamw_kernel(float* params, const float* grads, float* m, float* v, const uint8_t* decay_mask,
                             size_t n, float lr, float beta1, float beta2, float eps, float weight_decay,
                             float grad_scale, float bias_correction1, float bias_correction2) {
  for (size_t i = ((size_t)blockIdx.x * blockDim.x + threadIdx.x) * W; i < n; i += (size_t)gridDim.x * blockDim.x * W) {
    float p[W], g[W], mm[W], vv[W];
    load_floats<float, W>(params + i, p);
    load_floats<float, W>(grads + i, g);
    load_floats<float, W>(m + i, mm);
    load_floats<float, W>(v + i, vv);
    uint8_t mask[W];
    for (int j = 0; j < W; j++) mask[j] = 1;
    if (decay_mask != nullptr) {
      if constexpr (W == 4) {
        uchar4 q = *reinterpret_cast<const uchar4*>(decay_mask + i);
        mask[0] = q.x, mask[1] = q.y, mask[2] = q.z, mask[3] = q.w;
      } else {
        mask[0] = decay_mask[i];
      }
    }
#pragma unroll
    for (int j = 0; j < W; j++) {
      float gj = g[j] * grad_scale;
      mm[j] = beta1 * mm[j] + (1.0f - beta1) * gj;
      vv[j] = beta2 * vv[j] + (1.0f - beta2) * gj * gj;
      float update = (mm[j] / bias_correction1) / (sqrtf(vv[j] / bias_correction2) + eps);
      // Decoupled decay: shrinks the old parameter, never enters the moments.
      if (mask[j]) update += weight_decay * p[j];
      p[j] -= lr * update;
    }
    store_floats<float, W>(params + i, p);
    store_floats<float, W>(m + i, mm);
    store_floats<float, W>(v + i, vv);
  }
}

}  // namespace
}  // namespace llmj

extern "C" llmj_status llmj_adamw(float* params, const float* grads, float* m, float* v, const uint8_t* decay_mask,
                                  size_t n, float lr, float beta1, float beta2, float eps, float weight_decay,
                                  float grad_scale, int step, void* stream) {
  using namespace llmj;
  const char* fn = "llmj_adamw";
  if (step < 1) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: step = %d must be >= 1 (steps count from 1)", fn, step);
  if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: beta1 = %g and beta2 = %g must lie in [0, 1) (e.g. 0.9 and 0.95)", fn,
                     beta1, beta2);
  if (!(eps > 0.0f) || std::isinf(eps)) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: eps = %g must be finite and > 0 (e.g. 1e-8)", fn, eps);
  if (!std::isfinite(lr) || !std::isfinite(weight_decay) || !std::isfinite(grad_scale))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: lr = %g, weight_decay = %g and grad_scale = %g must be finite", fn, lr,
                     weight_decay, grad_scale);
  if (n == 0) return LLMJ_OK;
  if (params == nullptr || grads == nullptr || m == nullptr || v == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: params, grads, m and v must be device pointers, got %p, %p, %p, %p", fn,
                     (void*)params, (const void*)grads, (void*)m, (void*)v);
  const float bc1 = (float)(1.0 - std::pow((double)beta1, step));
  const float bc2 = (float)(1.0 - std::pow((double)beta2, step));
  const bool vec = n % 4 == 0 && aligned16(params) && aligned16(grads) && aligned16(m) && aligned16(v) &&
                   (decay_mask == nullptr || (reinterpret_cast<uintptr_t>(decay_mask) & 3) == 0);
  const size_t packs = n / (vec ? 4 : 1);
  const int blocks = (int)std::min<size_t>(65536, (packs + kThreads - 1) / kThreads);
  if (vec)
    adamw_kernel<4><<<blocks, kThreads, 0, as_stream(stream)>>>(params, grads, m, v, decay_mask, n, lr, beta1, beta2,
                                                                 eps, weight_decay, grad_scale, bc1, bc2);
  else
    adamw_kernel<1><<<blocks, kThreads, 0, as_stream(stream)>>>(params, grads, m, v, decay_mask, n, lr, beta1, beta2,
                                                                 eps, weight_decay, grad_scale, bc1, bc2);
  return llmj_check_launch(fn);
}
