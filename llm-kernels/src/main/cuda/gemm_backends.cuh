// The optional cuBLASLt path of llmj_gemm (gemm_cublaslt.cu), called after llmj_gemm has
// validated its arguments.
#pragma once
#include "kernel_common.cuh"

namespace llmj {
// True when LLMJ_GEMM=cublaslt is set (read at every call, so a program may switch).
bool gemm_cublaslt_requested();
// LLMJ_UNSUPPORTED when cuBLASLt is not loadable or has no algorithm for this call: the caller
// then runs llmj's own kernel.
llmj_status gemm_cublaslt(llmj_dtype dtype, bool ta, bool tb, int M, int N, int K, float alpha, const void* A, int lda,
                          const void* B, int ldb, float beta, void* C, int ldc, const void* bias, int epilogue,
                          cudaStream_t stream);
}  // namespace llmj
