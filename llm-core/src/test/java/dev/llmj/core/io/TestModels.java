package dev.llmj.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small random models and exact comparisons shared by the io tests. */
final class TestModels {
  static final long SEED = Long.getLong("tests.seed", 0x5eed);

  private TestModels() {}

  static HfConfig.Gpt2 tinyGpt2(int layers) {
    return HfConfig.Gpt2.of(11, 8, 4, layers, 2);
  }

  static HfConfig.Llama tinyLlama(int layers) {
    return new HfConfig.Llama(13, 8, 12, layers, 4, 2, 2, 1e-5, 5e5, 16, false, true, true, "silu", null);
  }

  /** Every expected tensor filled with seeded Gaussian values; the seed is printed by the callers. */
  static Map<String, INDArray> random(HfConfig config, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : HfTensorNames.expected(config).entrySet()) {
      int n = 1;
      for (long d : e.getValue()) {
        n *= (int) d;
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) random.nextGaussian();
      }
      m.put(e.getKey(), Nd4j.createFromArray(v).reshape('c', e.getValue()));
    }
    return m;
  }

  /** Same names in the same order and bit-identical values; returns the worst absolute difference (0). */
  static double assertExactlyEqual(Map<String, INDArray> expected, Map<String, INDArray> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    for (Map.Entry<String, INDArray> e : expected.entrySet()) {
      INDArray a = actual.get(e.getKey());
      assertArrayEquals(e.getValue().shape(), a.shape(), e.getKey());
      float[] x = e.getValue().dup('c').reshape(e.getValue().length()).toFloatVector();
      float[] y = a.dup('c').reshape(a.length()).toFloatVector();
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToIntBits(x[i]), Float.floatToIntBits(y[i]), e.getKey() + "[" + i + "]");
      }
    }
    return 0;
  }

  static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable action, String... fragments) {
    T e = assertThrows(type, action);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }
    System.out.println("rejected: " + e.getMessage());
    return e;
  }
}
