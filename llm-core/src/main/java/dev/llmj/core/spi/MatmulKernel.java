package dev.llmj.core.spi;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * General matrix product on 2-D arrays: {@code c = alpha * op(a) * op(b) + beta * c}, where
 * {@code op(x)} is {@code x} or its transpose. {@code c} is written in place and must be c-order;
 * {@code a} and {@code b} may be c- or f-order views (a transposed view is free). With {@code beta = 0}
 * the old contents of {@code c} are not read, as in BLAS: they may be uninitialised, NaN included.
 */
public interface MatmulKernel {

  String name();

  void gemm(boolean transA, boolean transB, double alpha, INDArray a, INDArray b, double beta, INDArray c);

  /** Convenience: a new c-order {@code op(a) * op(b)}. */
  default INDArray mmul(INDArray a, boolean transA, INDArray b, boolean transB) {
    long m = transA ? a.size(1) : a.size(0);
    long n = transB ? b.size(0) : b.size(1);
    // beta = 0: BLAS does not read C, so zero-filling it first would be a wasted pass over memory.
    INDArray c = org.nd4j.linalg.factory.Nd4j.createUninitialized(a.dataType(), new long[] {m, n}, 'c');
    gemm(transA, transB, 1.0, a, b, 0.0, c);
    return c;
  }
}
