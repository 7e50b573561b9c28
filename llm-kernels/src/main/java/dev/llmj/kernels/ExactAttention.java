package dev.llmj.kernels;

import dev.llmj.core.spi.AttentionKernel.Backward;
import dev.llmj.core.spi.AttentionKernel.Forward;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Double-precision attention one query row at a time: the same recomputation from the saved
 * log-sum-exp as the tiled kernel, with O(Tk) memory, single-threaded. It serves DOUBLE inputs
 * (finite-difference gradient checks), where exactness matters and speed does not.
 */
final class ExactAttention {

  private ExactAttention() {}

  static Forward forward(AttentionDims dims, INDArray q, INDArray k, INDArray v, boolean causal, int window,
      double scale) {
    double[] qa = doubles(q), ka = doubles(k), va = doubles(v);
    double[] out = new double[qa.length], lse = new double[dims.b() * dims.h() * dims.t()];
    double[] s = new double[dims.tk()];
    int d = dims.d();
    for (int bi = 0; bi < dims.b(); bi++) {
      for (int hi = 0; hi < dims.h(); hi++) {
        int kvi = hi / dims.group();
        for (int ti = 0; ti < dims.t(); ti++) {
          int qo = dims.q(bi, ti, hi), start = dims.keyStart(window, ti), end = dims.keyEnd(causal, ti);
          double max = Double.NEGATIVE_INFINITY;
          for (int j = start; j < end; j++) {
            s[j] = scale * dot(qa, qo, ka, dims.kv(bi, j, kvi), d);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = start; j < end; j++) {
            double p = Math.exp(s[j] - max);
            sum += p;
            axpy(p, va, dims.kv(bi, j, kvi), out, qo, d);
          }
          for (int x = 0; x < d; x++) {
            out[qo + x] /= sum;
          }
          lse[dims.lse(bi, hi, ti)] = max + Math.log(sum);
        }
      }
    }
    return new Forward(Nd4j.create(out, dims.queryShape(), 'c'), Nd4j.create(lse, dims.lseShape(), 'c'));
  }

  static Backward backward(AttentionDims dims, INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse,
      INDArray dOut, boolean causal, int window, double scale) {
    double[] qa = doubles(q), ka = doubles(k), va = doubles(v), oa = doubles(out), la = doubles(lse),
        doa = doubles(dOut);
    double[] dq = new double[qa.length], dk = new double[ka.length], dv = new double[va.length];
    int d = dims.d();
    for (int bi = 0; bi < dims.b(); bi++) {
      for (int hi = 0; hi < dims.h(); hi++) {
        int kvi = hi / dims.group();
        for (int ti = 0; ti < dims.t(); ti++) {
          int qo = dims.q(bi, ti, hi), start = dims.keyStart(window, ti), end = dims.keyEnd(causal, ti);
          double delta = dot(doa, qo, oa, qo, d);
          double rowLse = la[dims.lse(bi, hi, ti)];
          for (int j = start; j < end; j++) {
            int ko = dims.kv(bi, j, kvi);
            double p = Math.exp(scale * dot(qa, qo, ka, ko, d) - rowLse);
            double ds = p * (dot(doa, qo, va, ko, d) - delta) * scale;
            axpy(p, doa, qo, dv, ko, d);
            axpy(ds, ka, ko, dq, qo, d);
            axpy(ds, qa, qo, dk, ko, d);
          }
        }
      }
    }
    return new Backward(Nd4j.create(dq, dims.queryShape(), 'c'), Nd4j.create(dk, dims.keyShape(), 'c'),
        Nd4j.create(dv, dims.keyShape(), 'c'));
  }

  private static double dot(double[] a, int ao, double[] b, int bo, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += a[ao + i] * b[bo + i];
    }
    return sum;
  }

  private static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
    for (int i = 0; i < n; i++) {
      y[yo + i] += alpha * x[xo + i];
    }
  }

  private static double[] doubles(INDArray x) {
    return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }
}
