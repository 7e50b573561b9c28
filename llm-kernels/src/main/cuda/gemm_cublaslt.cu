// llmj_gemm through cuBLASLt (see llmj_cublaslt.h). No cuBLAS headers are needed: the few entry
// points, enum values and the heuristic-result layout used here are declared below as the
// cuBLASLt ABI defines them.
//
// cuBLASLt is column-major. A row-major (M, N) C is a column-major (N, M) matrix C^T, and
// C^T = op(B)^T op(A)^T, so the call passes B as its first operand and A as its second, with
// m = N and n = M; a per-column bias of C is then cuBLASLt's per-row bias of D.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "gemm_backends.cuh"
#include "llmj_cublaslt.h"

namespace llmj {
namespace {

using Handle = void*;
using Desc = void*;
using Layout = void*;
using Pref = void*;
struct Algo { uint64_t data[8]; };
struct HeuristicResult {
  Algo algo;
  size_t workspace_size;
  int state;
  float waves_count;
  int reserved[4];
};

constexpr int kComputeF32 = 68;             // CUBLAS_COMPUTE_32F (no TF32)
constexpr int kDescTransA = 3, kDescTransB = 4, kDescEpilogue = 7, kDescBiasPointer = 8;
constexpr int kEpilogueDefault = 1, kEpilogueBias = 4, kEpilogueGeluBias = 36;
constexpr int kPrefMaxWorkspace = 1;
constexpr int kOpN = 0, kOpT = 1;
constexpr size_t kWorkspaceBytes = 32u << 20;

struct Lt {
  int (*create)(Handle*);
  int (*desc_create)(Desc*, int, cudaDataType_t);
  int (*desc_set)(Desc, int, const void*, size_t);
  int (*desc_destroy)(Desc);
  int (*layout_create)(Layout*, cudaDataType_t, uint64_t, uint64_t, int64_t);
  int (*layout_destroy)(Layout);
  int (*pref_create)(Pref*);
  int (*pref_set)(Pref, int, const void*, size_t);
  int (*pref_destroy)(Pref);
  int (*heuristic)(Handle, Desc, Layout, Layout, Layout, Layout, Pref, int, HeuristicResult*, int*);
  int (*matmul)(Handle, Desc, const void*, const void*, Layout, const void*, Layout, const void*, const void*, Layout,
                void*, Layout, const Algo*, void*, size_t, cudaStream_t);
  Handle handle = nullptr;
  void* workspace = nullptr;
  bool ok = false;
};

Lt& lt() {
  static Lt state;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = nullptr;
    for (const char* name : {"libcublasLt.so", "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
    if (lib == nullptr) return;
    bool found = true;
    auto bind = [&](auto& fn, const char* symbol) {
      void* p = dlsym(lib, symbol);
      found = found && p != nullptr;
      std::memcpy(&fn, &p, sizeof p);
    };
    bind(state.create, "cublasLtCreate");
    bind(state.desc_create, "cublasLtMatmulDescCreate");
    bind(state.desc_set, "cublasLtMatmulDescSetAttribute");
    bind(state.desc_destroy, "cublasLtMatmulDescDestroy");
    bind(state.layout_create, "cublasLtMatrixLayoutCreate");
    bind(state.layout_destroy, "cublasLtMatrixLayoutDestroy");
    bind(state.pref_create, "cublasLtMatmulPreferenceCreate");
    bind(state.pref_set, "cublasLtMatmulPreferenceSetAttribute");
    bind(state.pref_destroy, "cublasLtMatmulPreferenceDestroy");
    bind(state.heuristic, "cublasLtMatmulAlgoGetHeuristic");
    bind(state.matmul, "cublasLtMatmul");
    if (!found || state.create(&state.handle) != 0) return;
    if (cudaMalloc(&state.workspace, kWorkspaceBytes) != cudaSuccess) {
      cudaGetLastError();
      return;
    }
    state.ok = true;
  });
  return state;
}

cudaDataType_t cuda_type(llmj_dtype t) { return t == LLMJ_F32 ? CUDA_R_32F : t == LLMJ_BF16 ? CUDA_R_16BF : CUDA_R_16F; }

}  // namespace

bool gemm_cublaslt_requested() {
  const char* v = std::getenv("LLMJ_GEMM");
  return v != nullptr && std::strcmp(v, "cublaslt") == 0;
}

llmj_status gemm_cublaslt(llmj_dtype dtype, bool ta, bool tb, int M, int N, int K, float alpha, const void* A, int lda,
                          const void* B, int ldb, float beta, void* C, int ldc, const void* bias, int epilogue,
                          cudaStream_t stream) {
  Lt& l = lt();
  if (!l.ok) return LLMJ_UNSUPPORTED;
  const cudaDataType_t t = cuda_type(dtype);
  Desc desc = nullptr;
  Layout a = nullptr, b = nullptr, c = nullptr;
  Pref pref = nullptr;
  llmj_status result = LLMJ_UNSUPPORTED;
  const int op_first = tb ? kOpT : kOpN, op_second = ta ? kOpT : kOpN;
  const int epi = epilogue == LLMJ_EPILOGUE_BIAS ? kEpilogueBias
                  : epilogue == LLMJ_EPILOGUE_BIAS_GELU ? kEpilogueGeluBias : kEpilogueDefault;
  const uint64_t workspace = kWorkspaceBytes;
  if (l.desc_create(&desc, kComputeF32, CUDA_R_32F) == 0 &&
      l.desc_set(desc, kDescTransA, &op_first, sizeof op_first) == 0 &&
      l.desc_set(desc, kDescTransB, &op_second, sizeof op_second) == 0 &&
      l.desc_set(desc, kDescEpilogue, &epi, sizeof epi) == 0 &&
      (epilogue == LLMJ_EPILOGUE_NONE || l.desc_set(desc, kDescBiasPointer, &bias, sizeof bias) == 0) &&
      // First operand: B stored (K, N) row-major = column-major (N, K); with tb stored (N, K) = column-major (K, N).
      l.layout_create(&a, t, tb ? K : N, tb ? N : K, ldb) == 0 &&
      l.layout_create(&b, t, ta ? M : K, ta ? K : M, lda) == 0 &&
      l.layout_create(&c, t, N, M, ldc) == 0 && l.pref_create(&pref) == 0 &&
      l.pref_set(pref, kPrefMaxWorkspace, &workspace, sizeof workspace) == 0) {
    HeuristicResult best;
    int found = 0;
    if (l.heuristic(l.handle, desc, a, b, c, c, pref, 1, &best, &found) == 0 && found > 0) {
      const int s = l.matmul(l.handle, desc, &alpha, B, a, A, b, &beta, C, c, C, c, &best.algo, l.workspace,
                             kWorkspaceBytes, stream);
      result = s == 0 ? LLMJ_OK : llmj_fail(LLMJ_CUDA_ERROR, "llmj_gemm (cuBLASLt): cublasLtMatmul returned status %d", s);
    }
  }
  if (pref) l.pref_destroy(pref);
  if (c) l.layout_destroy(c);
  if (b) l.layout_destroy(b);
  if (a) l.layout_destroy(a);
  if (desc) l.desc_destroy(desc);
  return result;
}

}  // namespace llmj

extern "C" int llmj_gemm_cublaslt_available(void) { return llmj::lt().ok ? 1 : 0; }
