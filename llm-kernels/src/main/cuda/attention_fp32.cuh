// FlashAttention-2 forward and backward in fp32 with plain FMA (no TF32: fp32 results must agree
// with a double reference to 1e-5). The same tiling as the tensor-core path, scaled down to 32 x 32
// tiles so that one warp owns whole score rows: a row's max and sum are warp shuffles, and the
// probability row it writes to shared memory is read back only by that warp. Included by attention.cu only.
#pragma once

namespace llmj_attention {

constexpr int F32_TILE = 32, F32_THREADS = 256;  // 8 warps; each owns rows warp + 8 r, r < 4

__device__ __forceinline__ float warp_max(float x) {
  for (int o = 16; o > 0; o /= 2) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
  return x;
}
__device__ __forceinline__ float warp_sum(float x) {
  for (int o = 16; o > 0; o /= 2) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

// rows x D tile of a (.., T, heads, D) fp32 tensor from token t0 -> shared [rows][D + 1] (the odd
// row length puts column d of consecutive rows in consecutive banks), zero past T.
template <int D>
__device__ __forceinline__ void load_tile_f32(float* dst, const float* base, size_t stride, int t0, int T) {
  for (int i = threadIdx.x; i < F32_TILE * D; i += F32_THREADS) {
    const int r = i / D, d = i % D, t = t0 + r;
    dst[r * (D + 1) + d] = t < T ? base[(size_t)t * stride + d] : 0.f;
  }
}

template <int D> constexpr size_t forward_smem_f32() {
  return (3ull * F32_TILE * (D + 1) + F32_TILE * (F32_TILE + 1)) * 4;
}

// Block: 32 query rows of one (batch, head); lane j of a warp scores key j of the tile, and owns
// output columns lane + 32 i. Grid as the tensor-core forward.
template <int D>
__global__ void __launch_bounds__(F32_THREADS)
    forward_f32(const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
                float* __restrict__ out, float* __restrict__ lse, int T, int H, int Hkv, int causal, float scale) {
  constexpr int LD = D + 1, LP = F32_TILE + 1, R = F32_TILE / 8, DC = D / 32;
  extern __shared__ float smem_f32[];
  float* sQ = smem_f32;
  float* sK = sQ + F32_TILE * LD;
  float* sV = sK + F32_TILE * LD;
  float* sP = sV + F32_TILE * LD;  // [F32_TILE][LP]
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int h = blockIdx.x % H, b = blockIdx.x / H, hk = h / (H / Hkv);
  const int q0 = (gridDim.y - 1 - blockIdx.y) * F32_TILE;
  const size_t q_stride = (size_t)H * D, kv_stride = (size_t)Hkv * D;
  const float* kb = k + (size_t)b * T * kv_stride + (size_t)hk * D;
  const float* vb = v + (size_t)b * T * kv_stride + (size_t)hk * D;
  load_tile_f32<D>(sQ, q + (size_t)b * T * q_stride + (size_t)h * D, q_stride, q0, T);

  float o[R][DC], m[R], l[R];
#pragma unroll
  for (int r = 0; r < R; r++) {
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int i = 0; i < DC; i++) o[r][i] = 0.f;
  }
  const int kv_end = causal ? min(T, q0 + F32_TILE) : T;
  for (int k0 = 0; k0 < kv_end; k0 += F32_TILE) {
    __syncthreads();  // the previous tile is consumed (and, the first time, sQ is written)
    load_tile_f32<D>(sK, kb, kv_stride, k0, T);
    load_tile_f32<D>(sV, vb, kv_stride, k0, T);
    __syncthreads();
    const int key = k0 + lane;
#pragma unroll
    for (int r = 0; r < R; r++) {
      const int i = warp + 8 * r, row = q0 + i;
      float s = 0.f;
#pragma unroll 16
      for (int d = 0; d < D; d++) s = fmaf(sQ[i * LD + d], sK[lane * LD + d], s);
      s *= scale;
      if (key >= T || (causal && key > row)) s = -INFINITY;
      const float m_new = fmaxf(m[r], warp_max(s));
      const float m_use = m_new == -INFINITY ? 0.f : m_new;  // nothing visible yet: keep exp at 0
      const float p = expf(s - m_use), alpha = expf(m[r] - m_use);
      l[r] = l[r] * alpha + warp_sum(p);
      m[r] = m_new;
      sP[i * LP + lane] = p;
#pragma unroll
      for (int c = 0; c < DC; c++) o[r][c] *= alpha;
    }
    __syncwarp();
#pragma unroll
    for (int r = 0; r < R; r++) {
      const int i = warp + 8 * r;
#pragma unroll 8
      for (int j = 0; j < F32_TILE; j++) {
        const float p = sP[i * LP + j];
#pragma unroll
        for (int c = 0; c < DC; c++) o[r][c] = fmaf(p, sV[j * LD + lane + 32 * c], o[r][c]);
      }
    }
  }
#pragma unroll
  for (int r = 0; r < R; r++) {
    const int row = q0 + warp + 8 * r;
    if (row >= T) continue;
    float* dst = out + ((size_t)b * T + row) * q_stride + (size_t)h * D;
#pragma unroll
    for (int c = 0; c < DC; c++) dst[lane + 32 * c] = o[r][c] / l[r];
    if (lane == 0) lse[((size_t)b * H + h) * T + row] = m[r] + logf(l[r]);
  }
}

template <int D> constexpr size_t backward_smem_f32() {
  return (4ull * F32_TILE * (D + 1) + 2ull * F32_TILE * (F32_TILE + 1) + 2 * F32_TILE) * 4;
}

// Block: 32 keys of one (batch, key/value head), walking the group's query heads and the query
// blocks that see those keys; dK and dV stay in registers (rows warp + 8 r, columns lane + 32 i),
// dQ is added to `dq` (zeroed by the caller) with atomicAdd.
template <int D>
__global__ void __launch_bounds__(F32_THREADS)
    backward_f32(const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
                 const float* __restrict__ dout, const float* __restrict__ lse, const float* __restrict__ delta,
                 float* __restrict__ dq, float* __restrict__ dk, float* __restrict__ dv, int T, int H, int Hkv,
                 int causal, float scale) {
  constexpr int LD = D + 1, LP = F32_TILE + 1, R = F32_TILE / 8, DC = D / 32;
  extern __shared__ float smem_f32[];
  float* sK = smem_f32;
  float* sV = sK + F32_TILE * LD;
  float* sQ = sV + F32_TILE * LD;
  float* sO = sQ + F32_TILE * LD;   // dO
  float* sP = sO + F32_TILE * LD;   // P[key][query]
  float* sS = sP + F32_TILE * LP;   // dS[key][query]
  float* sL = sS + F32_TILE * LP;   // lse
  float* sD = sL + F32_TILE;        // delta
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int hk = blockIdx.x % Hkv, b = blockIdx.x / Hkv, group = H / Hkv;
  const int k0 = blockIdx.y * F32_TILE;
  const size_t q_stride = (size_t)H * D, kv_stride = (size_t)Hkv * D;
  load_tile_f32<D>(sK, k + (size_t)b * T * kv_stride + (size_t)hk * D, kv_stride, k0, T);
  load_tile_f32<D>(sV, v + (size_t)b * T * kv_stride + (size_t)hk * D, kv_stride, k0, T);

  float dka[R][DC], dva[R][DC];
#pragma unroll
  for (int r = 0; r < R; r++)
#pragma unroll
    for (int c = 0; c < DC; c++) dka[r][c] = dva[r][c] = 0.f;

  for (int hh = 0; hh < group; hh++) {
    const int h = hk * group + hh;
    const float* lse_h = lse + ((size_t)b * H + h) * T;
    const float* delta_h = delta + ((size_t)b * H + h) * T;
    for (int q0 = causal ? k0 : 0; q0 < T; q0 += F32_TILE) {
      __syncthreads();  // the previous query block is consumed (and, the first time, K and V are written)
      load_tile_f32<D>(sQ, q + (size_t)b * T * q_stride + (size_t)h * D, q_stride, q0, T);
      load_tile_f32<D>(sO, dout + (size_t)b * T * q_stride + (size_t)h * D, q_stride, q0, T);
      if (threadIdx.x < F32_TILE) {
        const bool in = q0 + threadIdx.x < T;
        sL[threadIdx.x] = in ? lse_h[q0 + threadIdx.x] : 0.f;
        sD[threadIdx.x] = in ? delta_h[q0 + threadIdx.x] : 0.f;
      }
      __syncthreads();
      const int row = q0 + lane;  // lane scores query `lane` against the warp's keys
#pragma unroll
      for (int r = 0; r < R; r++) {
        const int i = warp + 8 * r, key = k0 + i;
        float s = 0.f, dp = 0.f;
#pragma unroll 16
        for (int d = 0; d < D; d++) {
          s = fmaf(sK[i * LD + d], sQ[lane * LD + d], s);
          dp = fmaf(sV[i * LD + d], sO[lane * LD + d], dp);
        }
        const bool visible = key < T && row < T && (!causal || key <= row);
        const float p = visible ? expf(s * scale - sL[lane]) : 0.f;
        sP[i * LP + lane] = p;
        sS[i * LP + lane] = p * (dp - sD[lane]);
      }
      __syncthreads();
#pragma unroll
      for (int r = 0; r < R; r++) {
        const int i = warp + 8 * r;
#pragma unroll 4
        for (int j = 0; j < F32_TILE; j++) {
          const float p = sP[i * LP + j], ds = sS[i * LP + j];
#pragma unroll
          for (int c = 0; c < DC; c++) {
            dva[r][c] = fmaf(p, sO[j * LD + lane + 32 * c], dva[r][c]);
            dka[r][c] = fmaf(ds, sQ[j * LD + lane + 32 * c], dka[r][c]);
          }
        }
      }
#pragma unroll
      for (int r = 0; r < R; r++) {
        const int j = warp + 8 * r, t = q0 + j;
        if (t >= T) continue;
        float acc[DC];
#pragma unroll
        for (int c = 0; c < DC; c++) acc[c] = 0.f;
#pragma unroll 4
        for (int i = 0; i < F32_TILE; i++) {
          const float ds = sS[i * LP + j];
#pragma unroll
          for (int c = 0; c < DC; c++) acc[c] = fmaf(ds, sK[i * LD + lane + 32 * c], acc[c]);
        }
        float* dst = dq + ((size_t)b * T + t) * q_stride + (size_t)h * D;
#pragma unroll
        for (int c = 0; c < DC; c++) atomicAdd(dst + lane + 32 * c, acc[c] * scale);
      }
    }
  }
#pragma unroll
  for (int r = 0; r < R; r++) {
    const int key = k0 + warp + 8 * r;
    if (key >= T) continue;
    const size_t at = ((size_t)b * T + key) * kv_stride + (size_t)hk * D;
#pragma unroll
    for (int c = 0; c < DC; c++) {
      dk[at + lane + 32 * c] = dka[r][c] * scale;
      dv[at + lane + 32 * c] = dva[r][c];
    }
  }
}

}  // namespace llmj_attention
