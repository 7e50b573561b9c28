package dev.llmj.kernels;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Not a backend: the hook that sets {@code OPENBLAS_CORETYPE} before nd4j-native loads OpenBLAS.
 * ND4J finds its backend with {@link java.util.ServiceLoader}, which creates every registered
 * {@link Nd4jBackend} before any of them loads native code, so this class, registered in
 * {@code META-INF/services/org.nd4j.linalg.factory.Nd4jBackend}, runs {@link OpenBlasCore#prepare()}
 * on the first use of {@code Nd4j} in any application that has llm-kernels on its class path, whatever
 * it calls first. It has the lowest priority and is never available, so ND4J always takes the real
 * backend and never asks this one for anything else.
 */
public final class BeforeNd4jLoads extends Nd4jBackend {

  /** Called by {@link java.util.ServiceLoader} only. */
  public BeforeNd4jLoads() {
    OpenBlasCore.prepare();
  }

  @Override
  public int getPriority() {
    return Integer.MIN_VALUE;
  }

  @Override
  public boolean isAvailable() {
    return false;
  }

  @Override
  public boolean canRun() {
    return false;
  }

  @Override
  public boolean allowsOrder() {
    return false;
  }

  @Override
  public Resource getConfigurationResource() {
    throw notABackend();
  }

  @Override
  public Class getNDArrayClass() {
    throw notABackend();
  }

  @Override
  public Environment getEnvironment() {
    throw notABackend();
  }

  @Override
  public String buildInfo() {
    return "not a backend: sets OPENBLAS_CORETYPE before nd4j-native loads OpenBLAS";
  }

  @Override
  public void logBackendInit() {
    // nothing to log: ND4J never chooses this class
  }

  private static UnsupportedOperationException notABackend() {
    return new UnsupportedOperationException("BeforeNd4jLoads is not an ND4J backend; add nd4j-native or nd4j-cuda");
  }
}
