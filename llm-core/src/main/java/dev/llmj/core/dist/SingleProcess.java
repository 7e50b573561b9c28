package dev.llmj.core.dist;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link Collective#single()}: the sum or broadcast over one rank is that rank's own value. */
final class SingleProcess implements Collective {

  static final SingleProcess INSTANCE = new SingleProcess();

  private SingleProcess() {}

  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int size() {
    return 1;
  }

  @Override
  public String name() {
    return "single";
  }

  @Override
  public void allReduceSum(INDArray array) {}

  @Override
  public void allReduceSum(double[] values) {}

  @Override
  public void broadcast(INDArray array, int root) {
    requireRoot(root);
  }

  @Override
  public byte[] broadcast(byte[] bytes, int root) {
    requireRoot(root);
    return bytes.clone();
  }

  @Override
  public void barrier() {}

  @Override
  public void abort(int status) {
    System.exit(status);
  }

  @Override
  public void finish() {}

  private static void requireRoot(int root) {
    if (root != 0) {
      throw new IllegalArgumentException("root rank " + root + " does not exist in a job of 1 rank");
    }
  }
}
