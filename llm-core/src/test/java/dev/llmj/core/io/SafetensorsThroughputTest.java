package dev.llmj.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One 128 MB float32 tensor (32M random values in [0, 1)) written and read back in each storage type: F32 must come back bit for bit, BF16 and F16 within half a unit in
 * the last place of their 8 and 11 significant bits; prints write and load throughput (best of 3).
 * Long: tagged {@code slow}, run with {@code mvn -B verify -Dtests.excluded=none}.
 */
@Tag("slow")
class SafetensorsThroughputTest {
  @TempDir Path dir;

  @Test
  void reportThroughput() throws IOException {
    long n = Long.getLong("tests.elements", 32L << 20);
    Nd4j.getRandom().setSeed(Long.getLong("tests.seed", 1L));
    INDArray big = Nd4j.rand(DataType.FLOAT, n);
    for (SafetensorsDType dtype : new SafetensorsDType[] {SafetensorsDType.F32, SafetensorsDType.BF16,
        SafetensorsDType.F16}) {
      Path file = dir.resolve(dtype + ".safetensors");
      double bestWrite = Double.MAX_VALUE;
      double bestLoad = Double.MAX_VALUE;
      for (int rep = 0; rep < 3; rep++) {
        long t0 = System.nanoTime();
        Safetensors.write(file, Map.of("w", big), Map.of(), dtype);
        long t1 = System.nanoTime();
        INDArray back;
        try (SafetensorsFile f = Safetensors.open(file)) {
          back = f.load("w");
        }
        long t2 = System.nanoTime();
        assertEquals(n, back.length());
        if (rep == 0) {
          assertRoundTrip(dtype, big, back);
        }
        bestWrite = Math.min(bestWrite, (t1 - t0) / 1e9);
        bestLoad = Math.min(bestLoad, (t2 - t1) / 1e9);
      }
      double mb = n * 4 / 1e6;
      System.out.printf("%s: %d float32 elements (%.0f MB in memory): write %.0f MB/s, load %.0f MB/s (best of 3)%n",
          dtype, n, mb, mb / bestWrite, mb / bestLoad);
    }
  }

  /**
   * Nearest-value rounding keeps a value x in [0, 1) within half an ulp: 2^-8 |x| for bfloat16 (8
   * significant bits), 2^-11 |x| for binary16 (11 bits), plus half the smallest subnormal (2^-25)
   * where binary16 runs out of exponent; float32 must be exact.
   */
  private static void assertRoundTrip(SafetensorsDType dtype, INDArray written, INDArray read) {
    float[] w = written.data().asFloat();
    float[] r = read.data().asFloat();
    assertEquals(w.length, r.length, dtype + " length");
    double relBound = dtype == SafetensorsDType.BF16 ? 0x1p-8 : 0x1p-11;
    double worst = 0;
    for (int i = 0; i < w.length; i++) {
      if (dtype == SafetensorsDType.F32) {
        if (Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(r[i])) {
          throw new AssertionError("F32 element " + i + ": wrote " + w[i] + ", read " + r[i]);
        }
        continue;
      }
      double err = Math.abs((double) w[i] - r[i]);
      double bound = relBound * Math.abs(w[i]) + (dtype == SafetensorsDType.F16 ? 0x1p-25 : 0);
      if (err > bound) {
        throw new AssertionError(dtype + " element " + i + ": wrote " + w[i] + ", read " + r[i] + ", error " + err
            + " over half an ulp " + bound);
      }
      worst = Math.max(worst, w[i] == 0 ? 0 : err / Math.abs(w[i]));
    }
    System.out.printf("%s: all %d elements within half an ulp (worst relative error %.3g)%n", dtype, w.length, worst);
  }
}
