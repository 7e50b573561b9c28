package dev.llmj.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.llmj.core.spi.MatmulKernel;
import dev.llmj.core.spi.ReferenceMatmul;
import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code cblas_sgemm}/{@code cblas_dgemm} of the OpenBLAS that nd4j-native already loaded, called on
 * the arrays' own memory. ND4J's {@code Mmul} op reaches the same routine, but only after the
 * libnd4j op dispatch and, for a c-order output, a column-major copy of {@code c} and back; here a
 * view in either order becomes a leading dimension and a transpose flag, so nothing is copied.
 *
 * <p>Arrays whose strides BLAS cannot express (a column or row step other than 1, broadcast views)
 * are copied to c-order first. Data types other than FLOAT and DOUBLE go to ND4J's own gemm.
 */
final class BlasMatmul implements MatmulKernel {

  private final MatmulKernel fallback = new ReferenceMatmul();

  @Override
  public String name() {
    return "openblas";
  }

  @Override
  public void gemm(boolean transA, boolean transB, double alpha, INDArray a, INDArray b, double beta, INDArray c) {
    if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
      throw new IllegalArgumentException("gemm wants 2-D arrays; got a " + Arrays.toString(a.shape())
          + ", b " + Arrays.toString(b.shape()) + ", c " + Arrays.toString(c.shape()));
    }
    DataType type = c.dataType();
    if (a.dataType() != type || b.dataType() != type) {
      throw new IllegalArgumentException("gemm wants one data type; got a " + a.dataType() + ", b "
          + b.dataType() + ", c " + type + " (cast the inputs with castTo(" + type + "))");
    }
    long m = transA ? a.size(1) : a.size(0);
    long k = transA ? a.size(0) : a.size(1);
    long kb = transB ? b.size(1) : b.size(0);
    long n = transB ? b.size(0) : b.size(1);
    if (k != kb || c.size(0) != m || c.size(1) != n) {
      throw new IllegalArgumentException("gemm shapes do not match: op(a) is " + m + "x" + k + ", op(b) is "
          + kb + "x" + n + ", c is " + c.size(0) + "x" + c.size(1));
    }
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      fallback.gemm(transA, transB, alpha, a, b, beta, c);
      return;
    }
    if (Math.max(Math.max(m, n), k) > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("gemm dimension over BLAS's 32-bit limit: m=" + m + ", n=" + n + ", k=" + k);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) { // an empty sum; BLAS's leading-dimension checks reject the empty operands
      if (beta == 0) c.assign(0); // as BLAS: with beta = 0, c is not read (it may hold NaN)
      else c.muli(beta);
      return;
    }
    Layout lc = Layout.of(c);
    if (lc == null) { // an output BLAS cannot address: compute densely, then copy into place
      INDArray dense = c.dup('c');
      gemm(transA, transB, alpha, a, b, beta, dense);
      c.assign(dense);
      return;
    }
    if (lc.transposed) { // column-major c: compute c^T = op(b)^T op(a)^T row-major instead
      call(!transB, !transA, (int) n, (int) m, (int) k, alpha, b, a, beta, c, lc.ld);
    } else {
      call(transA, transB, (int) m, (int) n, (int) k, alpha, a, b, beta, c, lc.ld);
    }
  }

  /** Row-major {@code c = alpha op(a) op(b) + beta c}, with op(a) m x k and op(b) k x n. */
  private static void call(boolean transA, boolean transB, int m, int n, int k, double alpha,
      INDArray a, INDArray b, double beta, INDArray c, int ldc) {
    Layout la = Layout.of(a);
    if (la == null) {
      a = a.dup('c');
      la = Layout.of(a);
    }
    Layout lb = Layout.of(b);
    if (lb == null) {
      b = b.dup('c');
      lb = Layout.of(b);
    }
    int ta = transA ^ la.transposed ? CblasTrans : CblasNoTrans;
    int tb = transB ^ lb.transposed ? CblasTrans : CblasNoTrans;
    if (c.dataType() == DataType.FLOAT) {
      cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha,
          (FloatPointer) a.data().addressPointer(), la.ld, (FloatPointer) b.data().addressPointer(), lb.ld,
          (float) beta, (FloatPointer) c.data().addressPointer(), ldc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
          (DoublePointer) a.data().addressPointer(), la.ld, (DoublePointer) b.data().addressPointer(), lb.ld,
          beta, (DoublePointer) c.data().addressPointer(), ldc);
    }
  }

  /**
   * How a 2-D array looks to row-major BLAS: its rows are {@code ld} elements apart, or, when
   * {@code transposed}, it is the row-major transpose (a column-major array) with columns {@code ld}
   * apart. A dimension of size 1 has no meaningful stride, so either reading is allowed for it.
   */
  record Layout(boolean transposed, int ld) {

    static Layout of(INDArray x) {
      long rows = x.size(0);
      long cols = x.size(1);
      long s0 = x.stride(0);
      long s1 = x.stride(1);
      if ((s1 == 1 || cols == 1) && (rows == 1 || s0 >= Math.max(1, cols)) && s0 <= Integer.MAX_VALUE) {
        return new Layout(false, (int) (rows == 1 ? Math.max(1, cols) : s0));
      }
      if ((s0 == 1 || rows == 1) && (cols == 1 || s1 >= Math.max(1, rows)) && s1 <= Integer.MAX_VALUE) {
        return new Layout(true, (int) (cols == 1 ? Math.max(1, rows) : s1));
      }
      return null;
    }
  }
}
