package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmj.core.spi.AttentionKernel;
import dev.llmj.core.spi.ReferenceAttention;
import dev.llmj.kernels.cuda.CudaAttention;
import dev.llmj.kernels.cuda.CudaBuffer;
import dev.llmj.kernels.cuda.CudaKernels;
import dev.llmj.kernels.cuda.CudaType;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The CUDA attention kernels against {@link ReferenceAttention} run in double on the same inputs
 * (out, lse, dq, dk, dv; worst |diff| / max(1, max |reference|) at most 1e-5 for fp32, as the CPU
 * kernel's test measures it), on random odd
 * shapes. Each test is skipped, with the reason, where it cannot run: the device-buffer test needs
 * the native library (-Dllmj.cuda=true) and an sm_80+ GPU, the ND4J test also nd4j-cuda (-Pcuda,
 * Ampere or older: nd4j-cuda 1.0.0-M2.1 has no Hopper code).
 */
class CudaAttentionGpuTest {

  private static final double F32_TOLERANCE = 1e-5;
  private static final double BF16_TOLERANCE = 2e-2; // bf16 keeps 8 mantissa bits; out and gradients are rounded to it
  private static final double VS_CPU_FLASH_TOLERANCE = 2e-4; // cpu-flash's own bound is 1e-4

  @Test
  void deviceBuffersMatchTheReferenceAndTheCpuKernel() {
    Optional<String> why = CudaKernels.deviceUnavailable();
    assumeTrue(why.isEmpty(), why::get);
    Random rnd = TestSeeds.random("deviceBuffersMatchTheReferenceAndTheCpuKernel");
    System.out.println("device: " + CudaKernels.device().orElseThrow());
    double worst = 0, worstCpu = 0;
    for (int c = 0; c < 12; c++) {
      Case x = Case.random(rnd);
      Result gpu = x.onDevice(CudaType.F32);
      worst = Math.max(worst, x.compare(gpu, x.reference(), F32_TOLERANCE, "f32 vs reference"));
      worstCpu = Math.max(worstCpu, x.compare(gpu, x.run(new FlashAttention(2), DataType.FLOAT),
          VS_CPU_FLASH_TOLERANCE, "f32 vs cpu-flash"));
    }
    System.out.println("cuda f32 on buffers: worst relative difference " + worst + " vs reference (double), "
        + worstCpu + " vs cpu-flash");
    Case x = Case.random(rnd).roundedToBf16();
    double bf16 = x.compare(x.onDevice(CudaType.BF16), x.reference(), BF16_TOLERANCE, "bf16 vs reference");
    System.out.println("cuda bf16 on buffers, " + x + ": worst relative difference " + bf16);
  }

  @Test
  void nd4jCudaArraysMatchTheReference() {
    Optional<String> why = CudaKernels.attentionUnavailable();
    assumeTrue(why.isEmpty(), why::get);
    Random rnd = TestSeeds.random("nd4jCudaArraysMatchTheReference");
    AttentionKernel cuda = new CudaKernels().attention().orElseThrow();
    double worst = 0;
    for (int c = 0; c < 8; c++) {
      Case x = Case.random(rnd);
      worst = Math.max(worst, x.compare(x.run(cuda, DataType.FLOAT), x.reference(), F32_TOLERANCE, "nd4j-cuda"));
    }
    System.out.println("cuda on nd4j-cuda arrays: worst relative difference vs reference (double) " + worst);
  }

  /** One random problem, flat c-order inputs in double. */
  private record Case(int b, int t, int h, int hkv, int d, boolean causal, double[] q, double[] k, double[] v,
      double[] dOut) {

    static Case random(Random rnd) {
      int[] ts = {1, 7, 13, 33, 65, 127, 130, 257};
      int hkv = 1 + rnd.nextInt(3), b = 1 + rnd.nextInt(3), t = ts[rnd.nextInt(ts.length)];
      int h = hkv * (1 + rnd.nextInt(3)), d = rnd.nextBoolean() ? 64 : 128;
      return new Case(b, t, h, hkv, d, rnd.nextBoolean(), gaussian(rnd, b * t * h * d),
          gaussian(rnd, b * t * hkv * d), gaussian(rnd, b * t * hkv * d), gaussian(rnd, b * t * h * d));
    }

    Case roundedToBf16() {
      return new Case(b, t, h, hkv, d, causal, bf16(q), bf16(k), bf16(v), bf16(dOut));
    }

    double scale() {
      return 1 / Math.sqrt(d);
    }

    Result reference() {
      return run(new ReferenceAttention(), DataType.DOUBLE);
    }

    Result run(AttentionKernel kernel, DataType type) {
      INDArray qa = array(q, type, h), ka = array(k, type, hkv), va = array(v, type, hkv);
      AttentionKernel.Forward f = kernel.forward(qa, ka, va, causal, scale());
      AttentionKernel.Backward g = kernel.backward(qa, ka, va, f.out(), f.lse(), array(dOut, type, h), causal,
          scale());
      return new Result(doubles(f.out()), doubles(f.lse()), doubles(g.dq()), doubles(g.dk()), doubles(g.dv()));
    }

    /** Forward and backward through CudaBuffers, every output poisoned with NaN first. */
    Result onDevice(CudaType type) {
      var s = new CudaAttention.Shape(b, t, h, hkv, d);
      long qn = s.queryElements(), kn = s.keyElements(), ln = s.lseElements();
      try (CudaBuffer qb = upload(q, type); CudaBuffer kb = upload(k, type); CudaBuffer vb = upload(v, type);
          CudaBuffer db = upload(dOut, type); CudaBuffer out = poisoned(qn, type);
          CudaBuffer lse = poisoned(ln, CudaType.F32); CudaBuffer dq = poisoned(qn, type);
          CudaBuffer dk = poisoned(kn, type); CudaBuffer dv = poisoned(kn, type)) {
        float sc = (float) scale();
        CudaAttention.forward(type, qb, kb, vb, out, lse, s, causal, sc);
        CudaAttention.backward(type, qb, kb, vb, out, lse, db, dq, dk, dv, s, causal, sc);
        return new Result(download(out, qn, type), download(lse, ln, CudaType.F32), download(dq, qn, type),
            download(dk, kn, type), download(dv, kn, type));
      }
    }

    double compare(Result got, Result want, double tolerance, String what) {
      String[] names = {"out", "lse", "dq", "dk", "dv"};
      double[][] g = got.all(), w = want.all();
      double worst = 0;
      for (int i = 0; i < names.length; i++) {
        double max = 0, diff = 0;
        for (int j = 0; j < w[i].length; j++) {
          max = Math.max(max, Math.abs(w[i][j]));
          diff = Double.isNaN(g[i][j]) ? Double.POSITIVE_INFINITY : Math.max(diff, Math.abs(g[i][j] - w[i][j]));
        }
        double rel = diff / Math.max(max, 1); // absolute where the reference is ~0 (dq at T=1)
        worst = Math.max(worst, rel);
        String name = names[i];
        assertTrue(rel <= tolerance, () -> what + ", " + this + ": " + name + " differs by " + rel + " (relative)");
      }
      return worst;
    }

    private INDArray array(double[] x, DataType type, int heads) {
      return Nd4j.create(x, new long[] {b, t, heads, d}, DataType.DOUBLE).castTo(type);
    }

    @Override
    public String toString() {
      return "B=" + b + " T=" + t + " H=" + h + " Hkv=" + hkv + " D=" + d + " causal=" + causal;
    }
  }

  private record Result(double[] out, double[] lse, double[] dq, double[] dk, double[] dv) {
    double[][] all() {
      return new double[][] {out, lse, dq, dk, dv};
    }
  }

  private static double[] gaussian(Random rnd, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian();
    }
    return x;
  }

  private static double[] doubles(INDArray x) {
    return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  private static CudaBuffer upload(double[] x, CudaType type) {
    if (type == CudaType.F32) {
      float[] f = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        f[i] = (float) x[i];
      }
      return CudaBuffer.of(f);
    }
    short[] bits = new short[x.length];
    for (int i = 0; i < x.length; i++) {
      bits[i] = toBf16((float) x[i]);
    }
    return CudaBuffer.of(bits);
  }

  private static CudaBuffer poisoned(long n, CudaType type) {
    CudaBuffer b = CudaBuffer.allocate(n * type.bytes());
    if (type == CudaType.F32) {
      float[] nan = new float[(int) n];
      Arrays.fill(nan, Float.NaN);
      b.copyFrom(nan);
    } else {
      short[] nan = new short[(int) n];
      Arrays.fill(nan, (short) 0x7fc0); // bf16 quiet NaN
      b.copyFrom(nan);
    }
    return b;
  }

  private static double[] download(CudaBuffer b, long n, CudaType type) {
    double[] x = new double[(int) n];
    if (type == CudaType.F32) {
      float[] f = new float[(int) n];
      b.copyTo(f);
      for (int i = 0; i < x.length; i++) {
        x[i] = f[i];
      }
    } else {
      short[] bits = new short[(int) n];
      b.copyTo(bits);
      for (int i = 0; i < x.length; i++) {
        x[i] = Float.intBitsToFloat((bits[i] & 0xffff) << 16);
      }
    }
    return x;
  }

  /** fp32 to bf16 bits, round to nearest even (inputs here are finite). */
  private static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  private static double[] bf16(double[] x) {
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      r[i] = Float.intBitsToFloat((toBf16((float) x[i]) & 0xffff) << 16);
    }
    return r;
  }
}
