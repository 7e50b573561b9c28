package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.spi.MatmulKernel;
import dev.llmj.core.spi.ReferenceMatmul;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The direct BLAS path against ND4J's gemm over awkward sizes, every transpose and layout. */
class BlasMatmulTest {

  private static final int[] SIZES = {1, 7, 13, 64, 257};
  private final MatmulKernel fast = new BlasMatmul();
  private final MatmulKernel reference = new ReferenceMatmul();

  @Test
  void matchesNd4jOnAllTransposesLayoutsAndViews() {
    Random rnd = TestSeeds.random("matchesNd4jOnAllTransposesLayoutsAndViews");
    double worst = 0;
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (int trial = 0; trial < 60; trial++) {
        int m = pick(rnd), n = pick(rnd), k = pick(rnd);
        boolean ta = rnd.nextBoolean(), tb = rnd.nextBoolean();
        double alpha = rnd.nextBoolean() ? 1 : rnd.nextGaussian();
        double beta = rnd.nextInt(3) == 0 ? 0 : rnd.nextGaussian();
        INDArray a = operand(rnd, type, ta ? k : m, ta ? m : k);
        INDArray b = operand(rnd, type, tb ? n : k, tb ? k : n);
        INDArray c0 = Nd4j.rand(type, m, n).subi(0.5);
        INDArray expected = c0.dup('c');
        reference.gemm(ta, tb, alpha, a.dup('c'), b.dup('c'), beta, expected);
        INDArray c = output(rnd, c0);
        fast.gemm(ta, tb, alpha, a, b, beta, c);
        double diff = maxRelDiff(expected, c);
        worst = Math.max(worst, diff);
        double tol = type == DataType.FLOAT ? 1e-5 : 1e-12;
        assertTrue(diff <= tol, () -> type + " m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb
            + " a " + a.ordering() + a.offset() + " c offset " + c.offset() + ": diff " + diff);
      }
    }
    System.out.println("matmul worst relative difference vs nd4j gemm: " + worst);
  }

  /** mmul's output starts uninitialised: with beta = 0 neither kernel may read it. */
  @Test
  void betaZeroNeverReadsTheOutput() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 9, 5);
    INDArray b = Nd4j.rand(DataType.FLOAT, 5, 6);
    INDArray expected = a.mmul(b);
    for (MatmulKernel kernel : new MatmulKernel[] {fast, reference}) {
      INDArray c = Nd4j.valueArrayOf(new long[] {9, 6}, Float.NaN, DataType.FLOAT);
      kernel.gemm(false, false, 1, a, b, 0, c);
      assertTrue(maxRelDiff(expected, c) < 1e-6, kernel.name() + ": " + c);
    }
    INDArray c = Nd4j.valueArrayOf(new long[] {3, 4}, Float.NaN, DataType.FLOAT);
    fast.gemm(false, false, 1, Nd4j.create(DataType.FLOAT, 3, 0), Nd4j.create(DataType.FLOAT, 0, 4), 0, c);
    assertEquals(0.0, c.maxNumber().doubleValue(), 0, "an empty sum with beta = 0 is 0, not NaN");
    assertEquals(0.0, c.minNumber().doubleValue(), 0);
  }

  @Test
  void mmulAndEmptyInnerDimension() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 13, 7);
    INDArray b = Nd4j.rand(DataType.FLOAT, 257, 7);
    double diff = maxRelDiff(a.mmul(b.transpose()), fast.mmul(a, false, b, true));
    System.out.println("mmul a b^T difference: " + diff);
    assertTrue(diff < 1e-6);
    INDArray c = Nd4j.ones(DataType.FLOAT, 3, 4);
    fast.gemm(false, false, 1, Nd4j.create(DataType.FLOAT, 3, 0), Nd4j.create(DataType.FLOAT, 0, 4), 2, c);
    assertEquals(2.0, c.maxNumber().doubleValue(), 0);
    assertEquals(2.0, c.minNumber().doubleValue(), 0);
  }

  @Test
  void rejectsMismatchedShapesAndTypes() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 4, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fast.gemm(false, false, 1, a, Nd4j.rand(DataType.FLOAT, 4, 5), 0, Nd4j.create(DataType.FLOAT, 4, 5)));
    assertTrue(e.getMessage().contains("4x5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> fast.gemm(false, false, 1, a, Nd4j.rand(DataType.DOUBLE, 5, 2), 0, Nd4j.create(DataType.FLOAT, 4, 2)));
    assertTrue(e.getMessage().contains("DOUBLE"), e.getMessage());
  }

  private static int pick(Random rnd) {
    return SIZES[rnd.nextInt(SIZES.length)];
  }

  /** A rows x cols operand: c-order, f-order, a transposed view, or a window of a larger array. */
  private static INDArray operand(Random rnd, DataType type, int rows, int cols) {
    switch (rnd.nextInt(4)) {
      case 0:
        return Nd4j.rand(type, rows, cols).subi(0.5);
      case 1:
        return Nd4j.rand(type, rows, cols).subi(0.5).dup('f');
      case 2:
        return Nd4j.rand(type, cols, rows).subi(0.5).transpose();
      default:
        INDArray big = Nd4j.rand(type, rows + 3, cols + 5).subi(0.5);
        return big.get(NDArrayIndex.interval(2, 2 + rows), NDArrayIndex.interval(1, 1 + cols));
    }
  }

  /** The output: dense c-order, or a c-order window with a longer row stride and an offset. */
  private static INDArray output(Random rnd, INDArray c0) {
    if (rnd.nextBoolean()) {
      return c0.dup('c');
    }
    INDArray big = Nd4j.zeros(c0.dataType(), c0.rows() + 2, c0.columns() + 3);
    INDArray view = big.get(NDArrayIndex.interval(1, 1 + c0.rows()), NDArrayIndex.interval(2, 2 + c0.columns()));
    view.assign(c0);
    return view;
  }

  static double maxRelDiff(INDArray expected, INDArray actual) {
    INDArray e = expected.castTo(DataType.DOUBLE), a = actual.castTo(DataType.DOUBLE);
    double scale = Math.max(1, e.amaxNumber().doubleValue());
    return e.sub(a).amaxNumber().doubleValue() / scale;
  }
}
