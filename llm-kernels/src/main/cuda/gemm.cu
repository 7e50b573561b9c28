// GEMM with the layers' epilogues: C = epilogue(alpha * op(A) op(B) + beta * C_old + bias), where
// the epilogue is identity or tanh-GELU and bias (N) is added per column. Row-major throughout.
//
// bf16/fp16: tensor cores through nvcuda::wmma (16x16x16 fragments, fp32 accumulators).
//   Block tile 128 x 128 x 32, 256 threads = 8 warps as 2 (M) x 4 (N), each warp 64 x 32 = 4 x 2
//   fragments, so every A fragment feeds two MMAs and every B fragment four. Global -> shared
//   with 16-byte cp.async (zero-filling what lies past M, N or K) into a 3-stage ring, so two
//   tiles are in flight while one is multiplied. Each operand tile is stored in its global memory
//   order (transposes are absorbed by the fragment layout, not by shuffling data), with 8
//   elements of padding per row to spread rows over the shared-memory banks while keeping the
//   32-byte alignment WMMA needs. Blocks are numbered in groups of 8 row tiles so that blocks
//   running together share A and B tiles in L2. Odd leading dimensions or unaligned pointers
//   take the same kernel with element-wise guarded loads instead of cp.async.
// fp32: plain FMA, 64 x 64 x 16 block tile, 256 threads each owning a 4 x 4 strided sub-tile.
//   No TF32: fp32 results must match a double reference to 1e-5.
// LLMJ_GEMM=cublaslt routes calls to cuBLASLt where it loads (gemm_cublaslt.cu).
#include <cmath>

#include <mma.h>

#include "gemm_backends.cuh"

namespace llmj {
namespace {

using namespace nvcuda;

constexpr int kBM = 128, kBN = 128, kBK = 32, kStages = 3, kThreads = 256, kPad = 8, kGroupM = 8;

// A shared-memory tile of ROWS x COLS elements stored row by row, COLS contiguous.
template <int ROWS, int COLS>
struct Tile {
  static constexpr int kLd = COLS + kPad;
  static constexpr int kElems = ROWS * kLd;
};

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, int src_bytes) {
  unsigned s = (unsigned)__cvta_generic_to_shared(smem);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

// Copies the ROWS x COLS block at (row0, col0) of a rows_limit x cols_limit row-major matrix g
// (leading dimension ld) into tile s, with zeros outside the matrix. ALIGNED: g is 16-byte aligned
// and ld % 8 == 0, so every 8-element chunk starts on a 16-byte boundary.
template <class T, int ROWS, int COLS, bool ALIGNED>
__device__ __forceinline__ void load_tile(T* s, const T* g, int ld, int row0, int col0, int rows_limit,
                                          int cols_limit) {
  constexpr int kChunksPerRow = COLS / 8;
  for (int c = threadIdx.x; c < ROWS * kChunksPerRow; c += kThreads) {
    const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * 8;
    const int gr = row0 + r, gc = col0 + col;
    T* dst = s + r * Tile<ROWS, COLS>::kLd + col;
    if constexpr (ALIGNED) {
      const int valid = gr < rows_limit ? max(0, min(8, cols_limit - gc)) : 0;
      const T* src = valid > 0 ? g + (long long)gr * ld + gc : g;
      cp_async16(dst, src, valid * (int)sizeof(T));
    } else {
#pragma unroll
      for (int j = 0; j < 8; j++)
        dst[j] = gr < rows_limit && gc + j < cols_limit ? g[(long long)gr * ld + gc + j] : from_float<T>(0.0f);
    }
  }
}

// The finished value of one element of C from its fp32 dot product; `old` is C's previous value
// (read by the caller only when beta != 0).
template <class T>
__device__ __forceinline__ float finish(float dot, float alpha, float beta, float old, const T* bias, int col,
                                        int epilogue) {
  float v = alpha * dot;
  if (beta != 0.0f) v += beta * old;
  if (epilogue != LLMJ_EPILOGUE_NONE) v += to_float(bias[col]);
  if (epilogue == LLMJ_EPILOGUE_BIAS_GELU) v = gelu_tanh(v);
  return v;
}

// Block (tile_m, tile_n) of a 1-D grid, grouped kGroupM row tiles at a time (see the file comment).
__device__ __forceinline__ void block_tile(int M, int N, int bm, int bn, int& tile_m, int& tile_n) {
  const int tiles_m = (M + bm - 1) / bm, tiles_n = (N + bn - 1) / bn;
  const int per_group = kGroupM * tiles_n;
  const int group = blockIdx.x / per_group;
  const int first_m = group * kGroupM;
  const int group_m = min(tiles_m - first_m, kGroupM);
  const int in_group = blockIdx.x % per_group;
  tile_m = first_m + in_group % group_m;
  tile_n = in_group / group_m;
}

template <class T, bool TA, bool TB, bool ALIGNED>
__global__ void __launch_bounds__(kThreads) gemm_tensor_core_kernel(int M, int N, int K, float alpha, const T* A,
                                                                     int lda, const T* B, int ldb, float beta, T* C,
                                                                     int ldc, const T* bias, int epilogue) {
  using ATile = std::conditional_t<TA, Tile<kBK, kBM>, Tile<kBM, kBK>>;  // TA: A is stored K x M
  using BTile = std::conditional_t<TB, Tile<kBN, kBK>, Tile<kBK, kBN>>;  // TB: B is stored N x K
  using ALayout = std::conditional_t<TA, wmma::col_major, wmma::row_major>;
  using BLayout = std::conditional_t<TB, wmma::col_major, wmma::row_major>;
  extern __shared__ __align__(128) unsigned char smem[];
  T* sA = reinterpret_cast<T*>(smem);
  T* sB = sA + kStages * ATile::kElems;

  int tile_m, tile_n;
  block_tile(M, N, kBM, kBN, tile_m, tile_n);
  const int m0 = tile_m * kBM, n0 = tile_n * kBN;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int wm = warp / 4, wn = warp % 4;  // warp tile: rows wm*64 .. +64, columns wn*32 .. +32

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[4][2];
#pragma unroll
  for (int i = 0; i < 4; i++)
#pragma unroll
    for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);

  const int k_tiles = (K + kBK - 1) / kBK;
  auto load_stage = [&](int stage, int kt) {
    const int k0 = kt * kBK;
    T* a = sA + stage * ATile::kElems;
    T* b = sB + stage * BTile::kElems;
    if constexpr (TA) load_tile<T, kBK, kBM, ALIGNED>(a, A, lda, k0, m0, K, M);
    else load_tile<T, kBM, kBK, ALIGNED>(a, A, lda, m0, k0, M, K);
    if constexpr (TB) load_tile<T, kBN, kBK, ALIGNED>(b, B, ldb, n0, k0, N, K);
    else load_tile<T, kBK, kBN, ALIGNED>(b, B, ldb, k0, n0, K, N);
  };

#pragma unroll
  for (int s = 0; s < kStages - 1; s++) {
    if (s < k_tiles) load_stage(s, s);
    cp_async_commit();
  }
  for (int kt = 0; kt < k_tiles; kt++) {
    // Tile kt has landed (at most kStages - 2 younger groups pending), and after the barrier every
    // warp is done with the stage that the prefetch below overwrites (the one read at kt - 1).
    cp_async_wait<kStages - 2>();
    __syncthreads();
    const int next = kt + kStages - 1;
    if (next < k_tiles) load_stage(next % kStages, next);
    cp_async_commit();

    const T* a = sA + (kt % kStages) * ATile::kElems;
    const T* b = sB + (kt % kStages) * BTile::kElems;
#pragma unroll
    for (int kk = 0; kk < kBK; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, ALayout> fa[4];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, BLayout> fb[2];
#pragma unroll
      for (int i = 0; i < 4; i++) {
        const int m = wm * 64 + i * 16;
        wmma::load_matrix_sync(fa[i], TA ? a + kk * ATile::kLd + m : a + m * ATile::kLd + kk, ATile::kLd);
      }
#pragma unroll
      for (int j = 0; j < 2; j++) {
        const int n = wn * 32 + j * 16;
        wmma::load_matrix_sync(fb[j], TB ? b + n * BTile::kLd + kk : b + kk * BTile::kLd + n, BTile::kLd);
      }
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
  }
  cp_async_wait<0>();
  __syncthreads();

  // Epilogue through a 16 x 16 fp32 scratch per warp (reusing the pipeline's shared memory): each
  // lane finishes 8 consecutive columns of one row, stored as one 16-byte write where possible.
  float* scratch = reinterpret_cast<float*>(smem) + warp * 256;
  const int r = lane / 2, c = (lane % 2) * 8;
  const bool c_vec = aligned16(C) && ldc % 8 == 0;
#pragma unroll
  for (int i = 0; i < 4; i++) {
#pragma unroll
    for (int j = 0; j < 2; j++) {
      wmma::store_matrix_sync(scratch, acc[i][j], 16, wmma::mem_row_major);
      __syncwarp();
      const int gm = m0 + wm * 64 + i * 16 + r, gn = n0 + wn * 32 + j * 16 + c;
      if (gm < M) {
        T* out = C + (long long)gm * ldc + gn;
        if (c_vec && gn + 8 <= N) {
          float v[8], old[8] = {};
          if (beta != 0.0f) load_floats<T, 8>(out, old);
#pragma unroll
          for (int e = 0; e < 8; e++) v[e] = finish(scratch[r * 16 + c + e], alpha, beta, old[e], bias, gn + e, epilogue);
          store_floats<T, 8>(out, v);
        } else {
          for (int e = 0; e < 8 && gn + e < N; e++) {
            const float old = beta != 0.0f ? to_float(out[e]) : 0.0f;
            out[e] = from_float<T>(finish(scratch[r * 16 + c + e], alpha, beta, old, bias, gn + e, epilogue));
          }
        }
      }
      __syncwarp();
    }
  }
}

constexpr int kFM = 64, kFN = 64, kFK = 16;

template <bool TA, bool TB>
__global__ void __launch_bounds__(256) gemm_f32_kernel(int M, int N, int K, float alpha, const float* A, int lda,
                                                        const float* B, int ldb, float beta, float* C, int ldc,
                                                        const float* bias, int epilogue) {
  // Both tiles k-major; the +1 column keeps the transposing stores free of bank conflicts.
  __shared__ float sA[kFK][kFM + 1], sB[kFK][kFN + 1];
  int tile_m, tile_n;
  block_tile(M, N, kFM, kFN, tile_m, tile_n);
  const int m0 = tile_m * kFM, n0 = tile_n * kFN;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < K; k0 += kFK) {
    // 1024 elements per tile, 4 per thread; consecutive threads walk the contiguous global axis.
#pragma unroll
    for (int q = 0; q < 4; q++) {
      const int idx = threadIdx.x + q * 256;
      int m, k;
      if (TA) m = idx % kFM, k = idx / kFM;
      else k = idx % kFK, m = idx / kFK;
      const int gm = m0 + m, gk = k0 + k;
      sA[k][m] = gm < M && gk < K ? (TA ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk]) : 0.0f;
      int n;
      if (TB) k = idx % kFK, n = idx / kFK;
      else n = idx % kFN, k = idx / kFN;
      const int gn = n0 + n, gk2 = k0 + k;
      sB[k][n] = gn < N && gk2 < K ? (TB ? B[(long long)gn * ldb + gk2] : B[(long long)gk2 * ldb + gn]) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kFK; k++) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; i++) a[i] = sA[k][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 4; j++) b[j] = sB[k][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; i++) {
    const int gm = m0 + ty + 16 * i;
    if (gm >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      const int gn = n0 + tx + 16 * j;
      if (gn >= N) continue;
      float* out = C + (long long)gm * ldc + gn;
      *out = finish(acc[i][j], alpha, beta, beta != 0.0f ? *out : 0.0f, bias, gn, epilogue);
    }
  }
}

template <class F>
llmj_status with_bool(bool b, F&& f) {
  if (b) return f(std::true_type{});
  return f(std::false_type{});
}

llmj_status launch_tensor_core(llmj_dtype dtype, bool ta, bool tb, int M, int N, int K, float alpha, const void* A,
                               int lda, const void* B, int ldb, float beta, void* C, int ldc, const void* bias,
                               int epilogue, cudaStream_t stream) {
  const bool aligned = aligned16(A) && aligned16(B) && lda % 8 == 0 && ldb % 8 == 0;
  const long long blocks = (long long)ceil_div(M, kBM) * ceil_div(N, kBN);
  auto with_half_type = [&](auto&& f) {
    return dtype == LLMJ_BF16 ? f(TypeTag<__nv_bfloat16>{}) : f(TypeTag<__half>{});
  };
  return with_half_type([&](auto tag) {
    using T = typename decltype(tag)::type;
    return with_bool(ta, [&](auto ta_) {
      return with_bool(tb, [&](auto tb_) {
        return with_bool(aligned, [&](auto al_) {
          constexpr bool TA = decltype(ta_)::value, TB = decltype(tb_)::value, AL = decltype(al_)::value;
          using ATile = std::conditional_t<TA, Tile<kBK, kBM>, Tile<kBM, kBK>>;
          using BTile = std::conditional_t<TB, Tile<kBN, kBK>, Tile<kBK, kBN>>;
          const size_t smem = kStages * (ATile::kElems + BTile::kElems) * sizeof(T);
          auto kernel = gemm_tensor_core_kernel<T, TA, TB, AL>;
          cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
          if (e != cudaSuccess)
            return llmj_fail(LLMJ_CUDA_ERROR, "llmj_gemm: cannot reserve %zu bytes of shared memory: %s", smem,
                             cudaGetErrorString(e));
          kernel<<<(unsigned)blocks, kThreads, smem, stream>>>(M, N, K, alpha, static_cast<const T*>(A), lda,
                                                               static_cast<const T*>(B), ldb, beta, static_cast<T*>(C),
                                                               ldc, static_cast<const T*>(bias), epilogue);
          return llmj_check_launch("llmj_gemm (tensor cores)");
        });
      });
    });
  });
}

llmj_status launch_f32(bool ta, bool tb, int M, int N, int K, float alpha, const void* A, int lda, const void* B,
                       int ldb, float beta, void* C, int ldc, const void* bias, int epilogue, cudaStream_t stream) {
  const long long blocks = (long long)ceil_div(M, kFM) * ceil_div(N, kFN);
  return with_bool(ta, [&](auto ta_) {
    return with_bool(tb, [&](auto tb_) {
      gemm_f32_kernel<decltype(ta_)::value, decltype(tb_)::value><<<(unsigned)blocks, 256, 0, stream>>>(
          M, N, K, alpha, static_cast<const float*>(A), lda, static_cast<const float*>(B), ldb, beta,
          static_cast<float*>(C), ldc, static_cast<const float*>(bias), epilogue);
      return llmj_check_launch("llmj_gemm (fp32)");
    });
  });
}

}  // namespace
}  // namespace llmj

extern "C" llmj_status llmj_gemm(llmj_dtype dtype, int trans_a, int trans_b, int M, int N, int K, float alpha,
                                 const void* A, int lda, const void* B, int ldb, float beta, void* C, int ldc,
                                 const void* bias, llmj_epilogue epilogue, void* stream) {
  using namespace llmj;
  const char* fn = "llmj_gemm";
  if (M < 0 || N < 0 || K < 0) return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: M = %d, N = %d, K = %d must be >= 0", fn, M, N, K);
  if (epilogue != LLMJ_EPILOGUE_NONE && epilogue != LLMJ_EPILOGUE_BIAS && epilogue != LLMJ_EPILOGUE_BIAS_GELU)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: epilogue %d is not NONE (0), BIAS (1) or BIAS_GELU (2)", fn, (int)epilogue);
  if (dtype != LLMJ_F32 && dtype != LLMJ_BF16 && dtype != LLMJ_F16)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: dtype %d is not LLMJ_F32 (0), LLMJ_BF16 (1) or LLMJ_F16 (2)", fn, (int)dtype);
  const bool ta = trans_a != 0, tb = trans_b != 0;
  // Row-major storage: the stored row length is the contiguous extent of the stored matrix.
  const int a_row = ta ? M : K, b_row = tb ? K : N;
  if (lda < std::max(1, a_row))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: lda = %d is below the stored row length %d of A (%s, M = %d, K = %d)", fn,
                     lda, a_row, ta ? "trans_a: K x M" : "M x K", M, K);
  if (ldb < std::max(1, b_row))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: ldb = %d is below the stored row length %d of B (%s, K = %d, N = %d)", fn,
                     ldb, b_row, tb ? "trans_b: N x K" : "K x N", K, N);
  if (ldc < std::max(1, N))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: ldc = %d is below N = %d", fn, ldc, N);
  if (M == 0 || N == 0) return LLMJ_OK;
  if (C == nullptr || (K > 0 && (A == nullptr || B == nullptr)))
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: A, B and C must be device pointers, got %p, %p, %p", fn, A, B, C);
  if (epilogue != LLMJ_EPILOGUE_NONE && bias == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: epilogue %d adds a bias, but bias is NULL; pass N bias values or LLMJ_EPILOGUE_NONE",
                     fn, (int)epilogue);
  if ((long long)ceil_div(M, 64) * ceil_div(N, 64) > 0x7fffffffLL)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "%s: M = %d by N = %d needs more than 2^31 blocks; split the product", fn, M, N);
  cudaStream_t s = as_stream(stream);
  if (gemm_cublaslt_requested()) {
    llmj_status st = gemm_cublaslt(dtype, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, epilogue, s);
    if (st != LLMJ_UNSUPPORTED) return st;
  }
  if (dtype == LLMJ_F32) return launch_f32(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, epilogue, s);
  return launch_tensor_core(dtype, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, epilogue, s);
}
