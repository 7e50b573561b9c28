// Optional second backend of llmj_gemm: NVIDIA's cuBLASLt, loaded at run time with dlopen (never
// linked, so llmj builds and runs without it). llmj_gemm uses it when the environment variable
// LLMJ_GEMM is "cublaslt" and the library loads; otherwise, or when cuBLASLt has no algorithm for
// a call, llmj's own kernels run. It shares one 32 MiB workspace on the device that was current
// when it loaded: use it from one device and one stream at a time.
#ifndef LLMJ_CUBLASLT_H
#define LLMJ_CUBLASLT_H

#ifdef __cplusplus
extern "C" {
#endif

// 1 when libcublasLt could be loaded and initialised in this process, else 0.
int llmj_gemm_cublaslt_available(void);

#ifdef __cplusplus
}
#endif
#endif
