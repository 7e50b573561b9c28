// Row loops for dev.llmj.core.simd.FloatMath in a JVM without the Vector API (an incubator module in
// Java 17 that only a JVM option loads): the softmax's exponential, which the JIT does not vectorise,
// on the attention kernel's AVX-512 or AVX2 exponential. Included after llmj_cpu_attention.h.
#ifndef LLMJ_CPU_LOOPS_H
#define LLMJ_CPU_LOOPS_H

#include <cmath>

// a[i] = exp(a[i] - shift) for i in [from, to); returns their sum. isa: 512 or 256 (llmj_cpu_attention_isa).
inline float llmj_cpu_exp_shift_sum(int isa, float* a, int from, int to, float shift) {
  float* x = a + from;
  const int n = to - from, L = isa == 512 ? 16 : 8, body = n - n % L, rest = n - body;
  float sum = isa == 512 ? llmj_cpu::avx512::exp_shift_sum(x, body, shift)
                         : llmj_cpu::avx2::exp_shift_sum(x, body, shift);
  if (rest > 0) { // one more vector, padded with -inf, whose exponential is exactly 0
    float tail[16];
    for (int i = 0; i < L; i++) tail[i] = i < rest ? x[body + i] : -INFINITY;
    sum += isa == 512 ? llmj_cpu::avx512::exp_shift_sum(tail, L, shift) : llmj_cpu::avx2::exp_shift_sum(tail, L, shift);
    for (int i = 0; i < rest; i++) x[body + i] = tail[i];
  }
  return sum;
}

#endif
