package dev.llmj.core.spi;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's own {@code gemm}: the plain path every faster matmul is tested against. */
public final class ReferenceMatmul implements MatmulKernel {

  @Override
  public String name() {
    return "nd4j";
  }

  @Override
  public void gemm(boolean transA, boolean transB, double alpha, INDArray a, INDArray b, double beta, INDArray c) {
    if (c.ordering() != 'c') {
      throw new IllegalArgumentException("gemm output must be c-order, got " + c.ordering());
    }
    Nd4j.gemm(a, b, c, transA, transB, alpha, beta);
  }
}
