// The C interface of llmj's CUDA kernels: what the JavaCPP binding in llm-kernels and the native
// check-and-benchmark program in benchmarks/gpu call. Every pointer is device memory unless its
// comment says otherwise; every function queues work on `stream` (a cudaStream_t, 0 for the default
// stream), returns at once and reports launch errors through its llmj_status.
//
// Shapes, row-major (c order), legend: B batch, T time, H query heads, Hkv key/value heads
// (H % Hkv == 0: query head h reads key/value head h / (H / Hkv)), D head size, N rows, C channels,
// V vocabulary.
#ifndef LLMJ_CUDA_H
#define LLMJ_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LLMJ_F32 = 0, LLMJ_BF16 = 1, LLMJ_F16 = 2 } llmj_dtype;

typedef enum {
  LLMJ_OK = 0,
  LLMJ_BAD_ARGUMENT = 1, // a shape, data type or pointer the kernel does not take; see llmj_last_error
  LLMJ_CUDA_ERROR = 2,   // the CUDA runtime failed; see llmj_last_error
  LLMJ_UNSUPPORTED = 3   // valid, but not built for this device or combination
} llmj_status;

// The message of this thread's last failure: what was wrong, the value, and the fix.
const char* llmj_last_error(void);

// ---- device buffers (for callers without another CUDA allocator, e.g. Java on Hopper) ----
llmj_status llmj_malloc(void** ptr, size_t bytes);
llmj_status llmj_free(void* ptr);
llmj_status llmj_copy_to_device(void* dst, const void* host_src, size_t bytes);
llmj_status llmj_copy_to_host(void* host_dst, const void* src, size_t bytes);
llmj_status llmj_synchronize(void);
// Device name and compute capability (major * 10 + minor) of the current device.
llmj_status llmj_device_info(char* name, size_t name_capacity, int* compute_capability);

// ---- causal (or full) flash attention: online softmax, no T x T matrix in global memory ----
// q, out, dout, dq: (B, T, H, D); k, v, dk, dv: (B, T, Hkv, D), all of type `dtype`; D is 64 or 128.
// lse: float (B, H, T), the natural-log log-sum-exp of each scaled, masked score row, written by
// forward and read by backward. Accumulation is in fp32 for every dtype.
llmj_status llmj_attention_forward(llmj_dtype dtype, const void* q, const void* k, const void* v, void* out,
    float* lse, int B, int T, int H, int Hkv, int D, int causal, float scale, void* stream);

// Bytes of device scratch that llmj_attention_backward needs for these sizes (0 allowed).
size_t llmj_attention_backward_workspace(llmj_dtype dtype, int B, int T, int H, int Hkv, int D);

// Writes dq, dk and dv (overwritten, not accumulated).
llmj_status llmj_attention_backward(llmj_dtype dtype, const void* q, const void* k, const void* v,
    const void* out, const float* lse, const void* dout, void* dq, void* dk, void* dv, void* workspace,
    size_t workspace_bytes, int B, int T, int H, int Hkv, int D, int causal, float scale, void* stream);

// ---- fused softmax cross-entropy over the vocabulary, forward and logits gradient in one pass ----
// logits, dlogits: (N, V) of `dtype` (dlogits may equal logits: the gradient overwrites them);
// targets: int32 (N); rows whose target is ignore_index get loss 0 and a zero gradient.
// losses: float (N); dlogits = dloss * (softmax(logits) - onehot(target)).
llmj_status llmj_softmax_xent(llmj_dtype dtype, const void* logits, const int32_t* targets, float* losses,
    void* dlogits, float dloss, int ignore_index, int N, int V, void* stream);

// ---- LayerNorm and RMSNorm over the last axis; statistics kept in fp32 for backward ----
// inp, out, dout, dinp: (N, C) of `dtype`; weight, bias: (C) of `dtype` (bias may be NULL);
// mean, rstd: float (N) (mean unused by RMSNorm); dweight, dbias: float (C), ACCUMULATED (+=).
llmj_status llmj_layernorm_forward(llmj_dtype dtype, void* out, float* mean, float* rstd, const void* inp,
    const void* weight, const void* bias, int N, int C, float eps, void* stream);
llmj_status llmj_layernorm_backward(llmj_dtype dtype, void* dinp, float* dweight, float* dbias,
    const void* dout, const void* inp, const void* weight, const float* mean, const float* rstd, int N, int C,
    void* stream);
llmj_status llmj_rmsnorm_forward(llmj_dtype dtype, void* out, float* rstd, const void* inp, const void* weight,
    int N, int C, float eps, void* stream);
llmj_status llmj_rmsnorm_backward(llmj_dtype dtype, void* dinp, float* dweight, const void* dout,
    const void* inp, const void* weight, const float* rstd, int N, int C, void* stream);

// ---- activations: out = gelu_tanh(inp + bias), and SwiGLU out = silu(gate) * up ----
// inp, out, dout, dinp: (N, C); bias: (C) (may be NULL); dbias: float (C), ACCUMULATED.
llmj_status llmj_bias_gelu_forward(llmj_dtype dtype, void* out, const void* inp, const void* bias, int N, int C,
    void* stream);
llmj_status llmj_bias_gelu_backward(llmj_dtype dtype, void* dinp, float* dbias, const void* dout,
    const void* inp, const void* bias, int N, int C, void* stream);
// gate, up, out, dout, dgate, dup: (N, C).
llmj_status llmj_swiglu_forward(llmj_dtype dtype, void* out, const void* gate, const void* up, int N, int C,
    void* stream);
llmj_status llmj_swiglu_backward(llmj_dtype dtype, void* dgate, void* dup, const void* dout, const void* gate,
    const void* up, int N, int C, void* stream);

// ---- AdamW over one flat fp32 parameter buffer (decoupled decay, bias-corrected moments) ----
// params, grads, m, v: float (n). decay_mask: uint8 (n) or NULL (NULL: decay every element);
// grad_scale multiplies the gradient first (1 / accumulation steps, or the clipping factor).
// step counts from 1.
llmj_status llmj_adamw(float* params, const float* grads, float* m, float* v, const uint8_t* decay_mask,
    size_t n, float lr, float beta1, float beta2, float eps, float weight_decay, float grad_scale, int step,
    void* stream);

// ---- GEMM with the layers' epilogues: C = alpha * op(A) op(B) (+ bias per column) (then GELU) ----
// A, B of `dtype`, row-major with leading dimensions lda, ldb; op(A) is (M, K), op(B) is (K, N).
// C and bias (N) are of `dtype` too; accumulation in fp32; beta scales the old C (0: C is not read).
typedef enum { LLMJ_EPILOGUE_NONE = 0, LLMJ_EPILOGUE_BIAS = 1, LLMJ_EPILOGUE_BIAS_GELU = 2 } llmj_epilogue;
llmj_status llmj_gemm(llmj_dtype dtype, int trans_a, int trans_b, int M, int N, int K, float alpha,
    const void* A, int lda, const void* B, int ldb, float beta, void* C, int ldc, const void* bias,
    llmj_epilogue epilogue, void* stream);

#ifdef __cplusplus
}
#endif
#endif
