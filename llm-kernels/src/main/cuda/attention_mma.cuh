// FlashAttention-2 forward and backward on tensor cores for bf16 and fp16 (sm_80+): mma.sync
// m16n8k16 with fp32 accumulation, operands fetched from shared memory with ldmatrix, key/value
// tiles streamed with cp.async. Included by attention.cu only.
//
// Fragment layouts (PTX ISA, mma.m16n8k16; g = lane / 4, c = lane % 4):
//   A 16x16: a0 (g, 2c..2c+1), a1 (g+8, 2c..), a2 (g, 2c+8..), a3 (g+8, 2c+8..)
//   B 16x8:  b0 (k 2c..2c+1, n g), b1 (k 2c+8.., n g)
//   C 16x8:  c0,c1 (g, 2c..2c+1), c2,c3 (g+8, 2c..)
// Two neighbouring 16x8 accumulators are, element for element, the A fragment of a 16x16 tile, so
// softmax probabilities and score gradients go from accumulators to the next mma without shared memory.
#pragma once
#include <cstdint>
#include <cstring>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace llmj_attention {

constexpr float LOG2E = 1.4426950408889634f;
constexpr float LN2 = 0.6931471805599453f;

// Shared-memory rows padded by 16 bytes: the 8 rows one ldmatrix phase reads then start 4 banks
// apart, so they hit all 32 banks once instead of the same 4 banks eight times.
template <int D> __host__ __device__ constexpr int padded() { return D + 8; }

template <typename E> __device__ __forceinline__ uint32_t pack2(float lo, float hi);
template <> __device__ __forceinline__ uint32_t pack2<__nv_bfloat16>(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  uint32_t u;
  memcpy(&u, &v, 4);
  return u;
}
template <> __device__ __forceinline__ uint32_t pack2<__half>(float lo, float hi) {
  __half2 v = __floats2half2_rn(lo, hi);
  uint32_t u;
  memcpy(&u, &v, 4);
  return u;
}

// c += a b for one 16x8x16 tile.
template <typename E> __device__ __forceinline__ void mma(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);
template <> __device__ __forceinline__ void mma<__nv_bfloat16>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0,
                                                               uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <> __device__ __forceinline__ void mma<__half>(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ uint32_t smem_address(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// Four 8x8 b16 matrices; lane L gives the address of row L % 8 of matrix L / 8, and register i
// receives this lane's part of matrix i (row g, columns 2c..2c+1; with .trans row 2c..2c+1, column g).
__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(row)));
}
__device__ __forceinline__ void ldsm_x4_trans(uint32_t (&r)[4], const void* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(row)));
}

// 16 bytes global -> shared without a register round trip; `in` false writes zeros (rows past T),
// reading nothing from `src` (which must still be a valid address).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool in) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_address(dst)), "l"(src),
               "r"(in ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N> __device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// rows x D tile of a (.., T, heads, D) tensor starting at token t0 -> shared [rows][padded<D>()],
// zero-filled past T. `base` points at token 0 of the right batch and head; `stride` = heads * D.
template <typename E, int D, int ROWS, int THREADS>
__device__ __forceinline__ void load_tile(E* dst, const E* base, size_t stride, int t0, int T) {
  constexpr int CHUNKS_PER_ROW = D / 8;
  for (int c = threadIdx.x; c < ROWS * CHUNKS_PER_ROW; c += THREADS) {
    const int r = c / CHUNKS_PER_ROW, col = (c % CHUNKS_PER_ROW) * 8, t = t0 + r;
    const bool in = t < T;
    cp_async16(dst + r * padded<D>() + col, in ? base + (size_t)t * stride + col : base, in);
  }
}

__device__ __forceinline__ float quad_max(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}
__device__ __forceinline__ float quad_sum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

// ---------------------------------------------------------------------------------------------
// Forward. Block: 128 query rows of one (batch, head), 8 warps of 16 rows each; key/value tiles of
// 64 rows, double-buffered (4 tiles: 36 KiB at D = 64, 68 KiB at D = 128). Each warp keeps its Q
// fragments (D / 2 registers), its 16 x D output accumulator (D / 2) and a 16 x 64 score tile (32)
// in registers, so D = 128 needs one block of 8 warps per SM and D = 64 fits two. 128 rows per
// block halve the K/V traffic per query compared with 64 while keeping one 16-row mma row tile per warp.
// Grid: x = batch * head, y = query block, heaviest (last, under the causal mask) blocks first so the
// tail of the schedule is made of short blocks.
constexpr int FWD_ROWS = 128, FWD_KEYS = 64, FWD_THREADS = 256;

template <int D> constexpr size_t forward_smem() { return 4ull * FWD_KEYS * padded<D>() * 2; }

template <typename E, int D>
__global__ void __launch_bounds__(FWD_THREADS, D == 64 ? 2 : 1)
    forward_mma(const E* __restrict__ q, const E* __restrict__ k, const E* __restrict__ v, E* __restrict__ out,
                float* __restrict__ lse, int T, int H, int Hkv, int causal, float scale_log2) {
  constexpr int LD = padded<D>(), KC = D / 16, NB = FWD_KEYS / 8, DB = D / 8;
  extern __shared__ __align__(16) unsigned char smem[];
  E* sK = reinterpret_cast<E*>(smem);  // [2][FWD_KEYS][LD]
  E* sV = sK + 2 * FWD_KEYS * LD;      // [2][FWD_KEYS][LD]

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, c = lane % 4;
  const int h = blockIdx.x % H, b = blockIdx.x / H, hk = h / (H / Hkv);
  const int q0 = (gridDim.y - 1 - blockIdx.y) * FWD_ROWS;
  const int row0 = q0 + warp * 16;  // this warp's first query row
  const size_t q_stride = (size_t)H * D, kv_stride = (size_t)Hkv * D;
  const E* qb = q + (size_t)b * T * q_stride + (size_t)h * D;
  const E* kb = k + (size_t)b * T * kv_stride + (size_t)hk * D;
  const E* vb = v + (size_t)b * T * kv_stride + (size_t)hk * D;

  const int kv_end = causal ? min(T, q0 + FWD_ROWS) : T;
  const int tiles = (kv_end + FWD_KEYS - 1) / FWD_KEYS;
  load_tile<E, D, FWD_KEYS, FWD_THREADS>(sK, kb, kv_stride, 0, T);
  load_tile<E, D, FWD_KEYS, FWD_THREADS>(sV, vb, kv_stride, 0, T);
  cp_async_commit();

  // Q is read once per block, straight into A fragments while the first tile is in flight.
  uint32_t qa[KC][4];
  {
    const int ra = row0 + g, rb = ra + 8;
    const uint32_t* pa = reinterpret_cast<const uint32_t*>(qb + (size_t)min(ra, T - 1) * q_stride);
    const uint32_t* pb = reinterpret_cast<const uint32_t*>(qb + (size_t)min(rb, T - 1) * q_stride);
#pragma unroll
    for (int kc = 0; kc < KC; kc++) {
      const int w = (kc * 16 + 2 * c) / 2;  // 32-bit word index of columns 2c, 2c+1
      qa[kc][0] = ra < T ? __ldg(pa + w) : 0u;
      qa[kc][1] = rb < T ? __ldg(pb + w) : 0u;
      qa[kc][2] = ra < T ? __ldg(pa + w + 4) : 0u;
      qa[kc][3] = rb < T ? __ldg(pb + w + 4) : 0u;
    }
  }

  float o[DB][4];
#pragma unroll
  for (int j = 0; j < DB; j++) o[j][0] = o[j][1] = o[j][2] = o[j][3] = 0.f;
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};  // rows g and g + 8, log2 units

  for (int tile = 0; tile < tiles; tile++) {
    const int stage = tile & 1;
    if (tile + 1 < tiles) {
      load_tile<E, D, FWD_KEYS, FWD_THREADS>(sK + (stage ^ 1) * FWD_KEYS * LD, kb, kv_stride, (tile + 1) * FWD_KEYS, T);
      load_tile<E, D, FWD_KEYS, FWD_THREADS>(sV + (stage ^ 1) * FWD_KEYS * LD, vb, kv_stride, (tile + 1) * FWD_KEYS, T);
      cp_async_commit();
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();
    const int k0 = tile * FWD_KEYS;
    // Under the causal mask a warp whose rows all precede the tile has nothing to add.
    if (!causal || k0 <= row0 + 15) {
      const E* tk = sK + stage * FWD_KEYS * LD;
      const E* tv = sV + stage * FWD_KEYS * LD;
      float s[NB][4];
#pragma unroll
      for (int j = 0; j < NB; j++) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.f;
#pragma unroll
      for (int kc = 0; kc < KC; kc++) {
#pragma unroll
        for (int np = 0; np < NB / 2; np++) {
          uint32_t bk[4];  // keys np*16 + 0..7 | 8..15, head columns kc*16 + 0..7 | 8..15
          ldsm_x4(bk, tk + (np * 16 + (lane % 8) + (lane / 16) * 8) * LD + kc * 16 + ((lane / 8) % 2) * 8);
          mma<E>(s[2 * np], qa[kc], bk[0], bk[1]);
          mma<E>(s[2 * np + 1], qa[kc], bk[2], bk[3]);
        }
      }
      const bool edge = k0 + FWD_KEYS > T || (causal && k0 + FWD_KEYS - 1 > row0);
#pragma unroll
      for (int j = 0; j < NB; j++)
#pragma unroll
        for (int e = 0; e < 4; e++) {
          s[j][e] *= scale_log2;
          if (edge) {
            const int key = k0 + j * 8 + 2 * c + (e % 2), row = row0 + g + (e / 2) * 8;
            if (key >= T || (causal && key > row)) s[j][e] = -INFINITY;
          }
        }
#pragma unroll
      for (int r = 0; r < 2; r++) {
        float mx = -INFINITY;
#pragma unroll
        for (int j = 0; j < NB; j++) mx = fmaxf(mx, fmaxf(s[j][2 * r], s[j][2 * r + 1]));
        const float m_new = fmaxf(m[r], quad_max(mx));
        // A row with nothing visible yet keeps max -inf; subtracting 0 then keeps exp2 at 0, not NaN.
        const float m_use = m_new == -INFINITY ? 0.f : m_new;
        const float alpha = exp2f(m[r] - m_use);
        float sum = 0.f;
#pragma unroll
        for (int j = 0; j < NB; j++) {
          s[j][2 * r] = exp2f(s[j][2 * r] - m_use);
          s[j][2 * r + 1] = exp2f(s[j][2 * r + 1] - m_use);
          sum += s[j][2 * r] + s[j][2 * r + 1];
        }
        // l stays a per-thread partial sum (alpha is the same across the quad); reduced once at the end.
        l[r] = l[r] * alpha + sum;
        m[r] = m_new;
#pragma unroll
        for (int j = 0; j < DB; j++) {
          o[j][2 * r] *= alpha;
          o[j][2 * r + 1] *= alpha;
        }
      }
#pragma unroll
      for (int kk = 0; kk < FWD_KEYS / 16; kk++) {
        const uint32_t pa[4] = {pack2<E>(s[2 * kk][0], s[2 * kk][1]), pack2<E>(s[2 * kk][2], s[2 * kk][3]),
                                pack2<E>(s[2 * kk + 1][0], s[2 * kk + 1][1]),
                                pack2<E>(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
        for (int dp = 0; dp < D / 16; dp++) {
          uint32_t bv[4];  // keys kk*16 + 0..7 | 8..15 for head columns dp*16 + 0..7, then + 8..15
          ldsm_x4_trans(bv, tv + (kk * 16 + (lane % 8) + ((lane / 8) % 2) * 8) * LD + dp * 16 + (lane / 16) * 8);
          mma<E>(o[2 * dp], pa, bv[0], bv[1]);
          mma<E>(o[2 * dp + 1], pa, bv[2], bv[3]);
        }
      }
    }
    __syncthreads();  // the next iteration's prefetch overwrites the stage just read
  }

#pragma unroll
  for (int r = 0; r < 2; r++) {
    const int row = row0 + g + r * 8;
    const float total = quad_sum(l[r]);
    if (row >= T) continue;
    const float inv = 1.f / total;
    E* dst = out + ((size_t)b * T + row) * q_stride + (size_t)h * D;
#pragma unroll
    for (int j = 0; j < DB; j++)
      *reinterpret_cast<uint32_t*>(dst + j * 8 + 2 * c) = pack2<E>(o[j][2 * r] * inv, o[j][2 * r + 1] * inv);
    if (c == 0) lse[((size_t)b * H + h) * T + row] = (m[r] + log2f(total)) * LN2;
  }
}

// ---------------------------------------------------------------------------------------------
// Backward. Block: 64 keys of one (batch, key/value head), 4 warps of 16 keys; it walks every query
// head of the group and every query block of 64 rows that sees its keys, so dK and dV live in
// registers for the whole walk and are written once, without atomics. Per query block each warp
// computes S^T = K Q^T and dP^T = V dO^T for its keys, turns them into P^T and dS^T in registers,
// adds P^T dO to dV and dS^T Q to dK, and leaves dS^T in shared memory; then the warps split the
// block's dQ = dS K by query rows and add it to an fp32 buffer with atomicAdd (each query row gets
// one contribution per key block, so the atomics are spread over T / 64 blocks and never serialize
// on one address within a block). Shared memory: K, V, Q, dO tiles and dS^T (43 KiB at D = 64,
// 78 KiB at D = 128) so two blocks of 4 warps fit an SM on sm_80/sm_90; registers hold dK, dV
// (D each) plus two 16 x 64 tiles (64).
constexpr int BWD_KEYS = 64, BWD_ROWS = 64, BWD_THREADS = 128;

template <int D> constexpr size_t backward_smem() {
  return 4ull * 64 * padded<D>() * 2 + (size_t)BWD_KEYS * (BWD_ROWS + 8) * 2 + 2ull * BWD_ROWS * 4;
}

template <typename E, int D>
__global__ void __launch_bounds__(BWD_THREADS, 2)
    backward_mma(const E* __restrict__ q, const E* __restrict__ k, const E* __restrict__ v, const E* __restrict__ dout,
                 const float* __restrict__ lse, const float* __restrict__ delta, float* __restrict__ dq_accum,
                 E* __restrict__ dk, E* __restrict__ dv, int T, int H, int Hkv, int causal, float scale, float scale_log2) {
  constexpr int LD = padded<D>(), LDS_T = BWD_ROWS + 8, KC = D / 16, NB = BWD_ROWS / 8, DB = D / 8;
  extern __shared__ __align__(16) unsigned char smem[];
  E* sK = reinterpret_cast<E*>(smem);      // [BWD_KEYS][LD]
  E* sV = sK + BWD_KEYS * LD;              // [BWD_KEYS][LD]
  E* sQ = sV + BWD_KEYS * LD;              // [BWD_ROWS][LD]
  E* sO = sQ + BWD_ROWS * LD;              // dO [BWD_ROWS][LD]
  E* sS = sO + BWD_ROWS * LD;              // dS^T [BWD_KEYS][LDS_T]
  float* sL = reinterpret_cast<float*>(sS + BWD_KEYS * LDS_T);  // lse * log2(e) [BWD_ROWS]
  float* sD = sL + BWD_ROWS;                                    // delta [BWD_ROWS]

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, c = lane % 4;
  const int hk = blockIdx.x % Hkv, b = blockIdx.x / Hkv, group = H / Hkv;
  const int k0 = blockIdx.y * BWD_KEYS, key0 = k0 + warp * 16;  // key0: this warp's first key
  const size_t q_stride = (size_t)H * D, kv_stride = (size_t)Hkv * D;
  load_tile<E, D, BWD_KEYS, BWD_THREADS>(sK, k + (size_t)b * T * kv_stride + (size_t)hk * D, kv_stride, k0, T);
  load_tile<E, D, BWD_KEYS, BWD_THREADS>(sV, v + (size_t)b * T * kv_stride + (size_t)hk * D, kv_stride, k0, T);
  cp_async_commit();

  float dka[DB][4], dva[DB][4];
#pragma unroll
  for (int j = 0; j < DB; j++)
#pragma unroll
    for (int e = 0; e < 4; e++) dka[j][e] = dva[j][e] = 0.f;

  const int blocks = (T + BWD_ROWS - 1) / BWD_ROWS;
  const int first = causal ? k0 / BWD_ROWS : 0;  // earlier query blocks see none of these keys
  for (int hh = 0; hh < group; hh++) {
    const int h = hk * group + hh;
    const E* qh = q + (size_t)b * T * q_stride + (size_t)h * D;
    const E* oh = dout + (size_t)b * T * q_stride + (size_t)h * D;
    const float* lse_h = lse + ((size_t)b * H + h) * T;
    const float* delta_h = delta + ((size_t)b * H + h) * T;
    for (int qblock = first; qblock < blocks; qblock++) {
      const int q0 = qblock * BWD_ROWS;
      load_tile<E, D, BWD_ROWS, BWD_THREADS>(sQ, qh, q_stride, q0, T);
      load_tile<E, D, BWD_ROWS, BWD_THREADS>(sO, oh, q_stride, q0, T);
      cp_async_commit();
      for (int i = threadIdx.x; i < BWD_ROWS; i += BWD_THREADS) {
        const bool in = q0 + i < T;
        sL[i] = in ? lse_h[q0 + i] * LOG2E : 0.f;
        sD[i] = in ? delta_h[q0 + i] : 0.f;
      }
      cp_async_wait<0>();
      __syncthreads();

      float st[NB][4], dpt[NB][4];  // S^T then P^T; dP^T then dS^T: 16 keys x 64 query rows
#pragma unroll
      for (int j = 0; j < NB; j++)
#pragma unroll
        for (int e = 0; e < 4; e++) st[j][e] = dpt[j][e] = 0.f;
#pragma unroll
      for (int kc = 0; kc < KC; kc++) {
        uint32_t ka[4], va[4];
        ldsm_x4(ka, sK + (warp * 16 + lane % 16) * LD + kc * 16 + (lane / 16) * 8);
        ldsm_x4(va, sV + (warp * 16 + lane % 16) * LD + kc * 16 + (lane / 16) * 8);
#pragma unroll
        for (int np = 0; np < NB / 2; np++) {
          const int off = (np * 16 + (lane % 8) + (lane / 16) * 8) * LD + kc * 16 + ((lane / 8) % 2) * 8;
          uint32_t bq[4], bo[4];
          ldsm_x4(bq, sQ + off);
          ldsm_x4(bo, sO + off);
          mma<E>(st[2 * np], ka, bq[0], bq[1]);
          mma<E>(st[2 * np + 1], ka, bq[2], bq[3]);
          mma<E>(dpt[2 * np], va, bo[0], bo[1]);
          mma<E>(dpt[2 * np + 1], va, bo[2], bo[3]);
        }
      }
      const bool edge = q0 + BWD_ROWS > T || k0 + BWD_KEYS > T || (causal && key0 + 15 > q0);
#pragma unroll
      for (int j = 0; j < NB; j++)
#pragma unroll
        for (int e = 0; e < 4; e++) {
          const int col = j * 8 + 2 * c + (e % 2);
          float p = exp2f(st[j][e] * scale_log2 - sL[col]);
          if (edge) {
            const int key = key0 + g + (e / 2) * 8, row = q0 + col;
            if (key >= T || row >= T || (causal && key > row)) p = 0.f;
          }
          st[j][e] = p;
          dpt[j][e] = p * (dpt[j][e] - sD[col]);
        }
#pragma unroll
      for (int kk = 0; kk < BWD_ROWS / 16; kk++) {
        const uint32_t pa[4] = {pack2<E>(st[2 * kk][0], st[2 * kk][1]), pack2<E>(st[2 * kk][2], st[2 * kk][3]),
                                pack2<E>(st[2 * kk + 1][0], st[2 * kk + 1][1]),
                                pack2<E>(st[2 * kk + 1][2], st[2 * kk + 1][3])};
        const uint32_t sa[4] = {pack2<E>(dpt[2 * kk][0], dpt[2 * kk][1]), pack2<E>(dpt[2 * kk][2], dpt[2 * kk][3]),
                                pack2<E>(dpt[2 * kk + 1][0], dpt[2 * kk + 1][1]),
                                pack2<E>(dpt[2 * kk + 1][2], dpt[2 * kk + 1][3])};
#pragma unroll
        for (int dp = 0; dp < D / 16; dp++) {
          const int off = (kk * 16 + (lane % 8) + ((lane / 8) % 2) * 8) * LD + dp * 16 + (lane / 16) * 8;
          uint32_t bo[4], bq[4];
          ldsm_x4_trans(bo, sO + off);
          ldsm_x4_trans(bq, sQ + off);
          mma<E>(dva[2 * dp], pa, bo[0], bo[1]);
          mma<E>(dva[2 * dp + 1], pa, bo[2], bo[3]);
          mma<E>(dka[2 * dp], sa, bq[0], bq[1]);
          mma<E>(dka[2 * dp + 1], sa, bq[2], bq[3]);
        }
        // dS^T rows of this warp, for the dQ product of all warps below.
        E* row_a = sS + (warp * 16 + g) * LDS_T + kk * 16 + 2 * c;
        *reinterpret_cast<uint32_t*>(row_a) = sa[0];
        *reinterpret_cast<uint32_t*>(row_a + 8 * LDS_T) = sa[1];
        *reinterpret_cast<uint32_t*>(row_a + 8) = sa[2];
        *reinterpret_cast<uint32_t*>(row_a + 8 * LDS_T + 8) = sa[3];
      }
      __syncthreads();

      // dQ rows q0 + warp*16 .. +15 = dS K, 64 head columns at a time to bound the registers.
      const int ra = q0 + warp * 16 + g, rb = ra + 8;
      float* dqa = dq_accum + ((size_t)b * T + ra) * q_stride + (size_t)h * D;
      float* dqb = dqa + 8 * q_stride;
#pragma unroll
      for (int dc = 0; dc < D / 64; dc++) {
        float acc[8][4];
#pragma unroll
        for (int j = 0; j < 8; j++) acc[j][0] = acc[j][1] = acc[j][2] = acc[j][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < BWD_KEYS / 16; kk++) {
          uint32_t a[4];  // A[query][key] = dS^T[key][query]: transposed load, keys 0..7 | 8..15
          ldsm_x4_trans(a, sS + (kk * 16 + (lane % 8) + (lane / 16) * 8) * LDS_T + warp * 16 + ((lane / 8) % 2) * 8);
#pragma unroll
          for (int np = 0; np < 4; np++) {
            uint32_t bk[4];
            ldsm_x4_trans(bk, sK + (kk * 16 + (lane % 8) + ((lane / 8) % 2) * 8) * LD + dc * 64 + np * 16 + (lane / 16) * 8);
            mma<E>(acc[2 * np], a, bk[0], bk[1]);
            mma<E>(acc[2 * np + 1], a, bk[2], bk[3]);
          }
        }
#pragma unroll
        for (int j = 0; j < 8; j++) {
          const int col = dc * 64 + j * 8 + 2 * c;
          if (ra < T) {
            atomicAdd(dqa + col, acc[j][0] * scale);
            atomicAdd(dqa + col + 1, acc[j][1] * scale);
          }
          if (rb < T) {
            atomicAdd(dqb + col, acc[j][2] * scale);
            atomicAdd(dqb + col + 1, acc[j][3] * scale);
          }
        }
      }
      __syncthreads();  // the next query block overwrites sQ, sO and sS
    }
  }

#pragma unroll
  for (int r = 0; r < 2; r++) {
    const int key = key0 + g + r * 8;
    if (key >= T) continue;
    const size_t at = ((size_t)b * T + key) * kv_stride + (size_t)hk * D;
#pragma unroll
    for (int j = 0; j < DB; j++) {
      *reinterpret_cast<uint32_t*>(dk + at + j * 8 + 2 * c) = pack2<E>(dka[j][2 * r] * scale, dka[j][2 * r + 1] * scale);
      *reinterpret_cast<uint32_t*>(dv + at + j * 8 + 2 * c) = pack2<E>(dva[j][2 * r], dva[j][2 * r + 1]);
    }
  }
}

}  // namespace llmj_attention
