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
 * Write and load throughput of one 128 MB float32 tensor in each storage type. Tagged slow, which the
 * parent POM's surefire configuration always excludes: run it from an IDE, or drop the tag locally.
 */
@Tag("slow")
class SafetensorsThroughputTest {
  @TempDir Path dir;

  @Test
  void reportThroughput() throws IOException {
    long n = Long.getLong("tests.elements", 32L << 20);
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
        try (SafetensorsFile f = Safetensors.open(file)) {
          INDArray back = f.load("w");
          assertEquals(n, back.length());
        }
        long t2 = System.nanoTime();
        bestWrite = Math.min(bestWrite, (t1 - t0) / 1e9);
        bestLoad = Math.min(bestLoad, (t2 - t1) / 1e9);
      }
      double mb = n * 4 / 1e6;
      System.out.printf("%s: %d float32 elements (%.0f MB in memory): write %.0f MB/s, load %.0f MB/s (best of 3)%n",
          dtype, n, mb, mb / bestWrite, mb / bestLoad);
    }
  }
}
