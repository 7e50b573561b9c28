package dev.llmj.kernels;

import org.nd4j.linalg.factory.Nd4j;

/** Run in a child JVM by {@link OpenBlasCoreTest}: uses ND4J first, then reports what OpenBLAS chose. */
final class CoreTypeProbe {

  private CoreTypeProbe() {}

  public static void main(String[] args) {
    Nd4j.create(2, 2).mmul(Nd4j.create(2, 2)); // ND4J first, as an application would: OpenBLAS loads here
    System.out.println("core=" + CpuKernelProvider.openBlasCore());
    System.out.println("setup=" + CpuKernelProvider.openBlasSetup());
    System.out.println("matmul=" + new CpuKernelProvider().matmul().map(m -> m.name()).orElse("none"));
  }
}
