// Causal (optionally with a sliding window) or full scaled dot-product attention on the CPU,
// float32, forward and backward, for one (batch, key/value head) task per call: the JNI binding
// (dev.llmj.kernels.LlmjCpu) calls it from a Java thread pool, one task per thread at a time, so
// results never depend on the thread count.
//
// FlashAttention-2's schedule on cache-sized blocks: forward walks the keys of a 64-query block
// with an online softmax; backward walks 64-key blocks, recomputes the probabilities from the
// saved log-sum-exp and keeps that block's dK and dV in cache while it visits the queries that see
// it. With a sliding window both walks start and stop at the blocks the window reaches, so the
// work grows as T * W rather than T^2 / 2. Every product is one register-blocked micro-kernel over packed operands, so no T x T matrix
// exists and the extra memory is O((T + Tk) D) per thread.
//
// Compiled for every x86-64; the AVX-512 and AVX2 code paths are chosen at run time
// (llmj_cpu_attention_isa); where neither is available the caller keeps its Java path.
// Header-only: JavaCPP compiles it into the JNI library; the flags it needs are set per function
// by target pragmas, so the rest of the library runs on any x86-64.
#ifndef LLMJ_CPU_ATTENTION_H
#define LLMJ_CPU_ATTENTION_H

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdlib>

namespace llmj_cpu {

// One growing buffer per thread, 64-byte aligned, kept for the thread's life (pool threads run many tasks).
struct Workspace {
  float* data = nullptr;
  size_t capacity = 0;
  ~Workspace() { std::free(data); }
  float* get(size_t floats) {
    if (floats > capacity) {
      std::free(data);
      void* p = nullptr;
      data = posix_memalign(&p, 64, floats * sizeof(float)) == 0 ? static_cast<float*>(p) : nullptr;
      capacity = data ? floats : 0;
    }
    return data;
  }
};

inline float* work(size_t floats) {
  static thread_local Workspace ws;
  return ws.get(floats);
}

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,fma")
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_ps and _mm256_undefined_pd initialise
// themselves) at -Wall.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
namespace avx512 {
static constexpr int L = 16, MR = 6, NVMAX = 4; // 24 accumulators of 32 registers
typedef __m512 vf;
static inline vf vload(const float* p) { return _mm512_loadu_ps(p); }
static inline void vstore(float* p, vf x) { _mm512_storeu_ps(p, x); }
static inline vf vset1(float x) { return _mm512_set1_ps(x); }
static inline vf vzero() { return _mm512_setzero_ps(); }
static inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
typedef __m512i vi;
// Lane i of vgather(p, vindex(stride)) is p[i * stride] (stride * 15 must fit in an int).
static inline vi vindex(long stride) {
  return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            _mm512_set1_epi32((int) stride));
}
static inline vf vgather(const float* p, vi index) { return _mm512_i32gather_ps(index, p, 4); }
static inline float vhmax(vf a) { return _mm512_reduce_max_ps(a); }
static inline float vhsum(vf a) { return _mm512_reduce_add_ps(a); }
static inline vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vround(vf x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vf vfnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
// 2^n for whole n in [-126, 127], built in the exponent bits.
static inline vf vpow2(vf n) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
}
// x where key >= bound, else 0 (NaN keys included).
static inline vf vkeep_ge(vf key, float bound, vf x) {
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(key, vset1(bound), _CMP_GE_OQ), x);
}
#include "llmj_cpu_attention_impl.inc"
}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
static constexpr int L = 8, MR = 6, NVMAX = 2; // 12 accumulators of 16 registers
typedef __m256 vf;
static inline vf vload(const float* p) { return _mm256_loadu_ps(p); }
static inline void vstore(float* p, vf x) { _mm256_storeu_ps(p, x); }
static inline vf vset1(float x) { return _mm256_set1_ps(x); }
static inline vf vzero() { return _mm256_setzero_ps(); }
static inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
typedef __m256i vi;
static inline vi vindex(long stride) {
  return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int) stride));
}
static inline vf vgather(const float* p, vi index) { return _mm256_i32gather_ps(p, index, 4); }
static inline float vhmax(vf a) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}
static inline float vhsum(vf a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
static inline vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vround(vf x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vf vfnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf vpow2(vf n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}
static inline vf vkeep_ge(vf key, float bound, vf x) { return _mm256_and_ps(_mm256_cmp_ps(key, vset1(bound), _CMP_GE_OQ), x); }
#include "llmj_cpu_attention_impl.inc"
}  // namespace avx2
#pragma GCC pop_options

}  // namespace llmj_cpu

// 512 or 256: the widest vector path (in bits) this CPU can run; 0: neither, use another kernel.
// The callers pass the width to run (this or a narrower one, which tests use to check every path).
inline int llmj_cpu_attention_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return 512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 256;
  return 0;
}

// 0 on success, 1 if the workspace could not be allocated, 2 if isa or D (a multiple of isa / 32
// floats) is unsupported, or the window is negative or set without causal (window 0: unlimited).
// See llmj_cpu_attention_impl.inc for the layouts.
inline int llmj_cpu_attention_forward(int isa, const float* q, const float* k, const float* v, float* out,
                                      float* lse, int T, int Tk, int G, int D, long ldq, long ldk, int causal,
                                      int window, float scale) {
  if (window < 0 || (window > 0 && !causal)) return 2;
  if (isa == 512 && D % 16 == 0) {
    return llmj_cpu::avx512::forward(q, k, v, out, lse, T, Tk, G, D, ldq, ldk, causal, window, scale);
  }
  if (isa == 256 && D % 8 == 0) {
    return llmj_cpu::avx2::forward(q, k, v, out, lse, T, Tk, G, D, ldq, ldk, causal, window, scale);
  }
  return 2;
}

inline int llmj_cpu_attention_backward(int isa, const float* q, const float* k, const float* v, const float* out,
                                       const float* lse, const float* dout, float* dq, float* dk, float* dv, int T,
                                       int Tk, int G, int D, long ldq, long ldk, int causal, int window,
                                       float scale) {
  if (window < 0 || (window > 0 && !causal)) return 2;
  if (isa == 512 && D % 16 == 0) {
    return llmj_cpu::avx512::backward(q, k, v, out, lse, dout, dq, dk, dv, T, Tk, G, D, ldq, ldk, causal, window,
                                      scale);
  }
  if (isa == 256 && D % 8 == 0) {
    return llmj_cpu::avx2::backward(q, k, v, out, lse, dout, dq, dk, dv, T, Tk, G, D, ldq, ldk, causal, window,
                                    scale);
  }
  return 2;
}

#endif
