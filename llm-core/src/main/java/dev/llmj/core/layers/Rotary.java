package dev.llmj.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding in the Hugging Face Llama convention: the head vector is split into
 * halves {@code (x1, x2)} and rotated as {@code x cos + rotate_half(x) sin} with
 * {@code rotate_half(x) = (-x2, x1)}; pair {@code i} turns by {@code pos * f_i}, with the frequencies
 * {@code f_i = theta^(-2i/D)} of {@link RopeScaling#inverseFrequencies} (scaled or not).
 * The rotation is orthogonal, so backward is the same rotation by the negative angle.
 */
final class Rotary {

  private final INDArray cos; // (1, T, 1, D/2)
  private final INDArray sin;

  /** Tables for positions {@code start .. start+t-1} and the D/2 frequencies of a head of size D. */
  Rotary(long start, long t, double[] frequencies, DataType type) {
    long half = frequencies.length;
    double[] c = new double[(int) (t * half)];
    double[] s = new double[c.length];
    for (int p = 0; p < t; p++) {
      for (int i = 0; i < half; i++) {
        double angle = (start + p) * frequencies[i];
        c[(int) (p * half + i)] = Math.cos(angle);
        s[(int) (p * half + i)] = Math.sin(angle);
      }
    }
    long[] shape = {1, t, 1, half};
    this.cos = Nd4j.create(c, shape, type);
    this.sin = Nd4j.create(s, shape, type);
  }

  /** Rotates q or k of shape (B, T, H, D); returns a new c-order array. */
  INDArray apply(INDArray x) {
    return rotate(x, 1);
  }

  /** Gradient through {@link #apply}: the inverse rotation of dy. */
  INDArray backward(INDArray dy) {
    return rotate(dy, -1);
  }

  private INDArray rotate(INDArray x, double sign) {
    long half = x.size(3) / 2;
    INDArray x1 = x.get(half(0, half));
    INDArray x2 = x.get(half(half, 2 * half));
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
    INDArray s = sign > 0 ? sin : sin.neg();
    out.get(half(0, half)).assign(x1.mul(cos).subi(x2.mul(s)));
    out.get(half(half, 2 * half)).assign(x2.mul(cos).addi(x1.mul(s)));
    return out;
  }

  private static INDArrayIndex[] half(long from, long to) {
    return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)};
  }
}
