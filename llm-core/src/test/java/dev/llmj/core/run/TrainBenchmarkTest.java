package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainBenchmark} on a tiny model: one timed step per step after the warm-up, tokens/s from the
 * median step and the batch, and MFU from FLOPs per token worked out by hand.
 */
class TrainBenchmarkTest {

  @Test
  void timesEveryStepAfterTheWarmUpAndDerivesThroughputAndMfu() {
    TrainBenchmark.Config c = TrainBenchmark.Config.defaults().withBatch(16, 4).withModel(2, 2, 32, 64)
        .withSteps(6, 2).withThreads(1);
    TrainBenchmark.Result r = TrainBenchmark.run(c);
    double[] ms = r.stepMillis();
    assertEquals(4, ms.length, Arrays.toString(ms));
    assertTrue(Arrays.stream(ms).allMatch(m -> m > 0), Arrays.toString(ms));
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = (sorted[1] + sorted[2]) / 2;
    assertEquals(median, r.msPerStep(), 0);
    assertEquals(4 * 16 / (median / 1e3), r.tokensPerSecond(), 1e-9 * r.tokensPerSecond());
    // GPT-2 with V=64, T=16, L=2, C=32, tied embeddings: tokens 2,048 + positions 512; per block two
    // LayerNorms 128, q/k/v 3,168, output 1,056, MLP 4,224 + 4,128 = 12,704; two blocks 25,408; final
    // LayerNorm 64: N = 28,032. 6N = 168,192 plus 12*2*16*32 = 12,288 for attention: 180,480 FLOPs per token.
    assertEquals(180_480, c.flopsPerToken(), 0);
    assertEquals(r.tokensPerSecond() * 180_480 / 10e9, r.mfu(10), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> r.mfu(0));
    // Linux reports the peak resident set; this JVM holds at least its heap's first pages and ND4J's libraries
    assertTrue(r.peakRssBytes() > 50L << 20, "peak RSS " + r.peakRssBytes());
  }

  @Test
  void stepsMustExceedTheWarmUp() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainBenchmark.Config.defaults().withSteps(2, 2));
    assertTrue(e.getMessage().contains("steps 2 must exceed warmup 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainBenchmark.Config.defaults().withModel(2, 3, 32, 64));
    IllegalArgumentException context = assertThrows(IllegalArgumentException.class,
        () -> TrainBenchmark.Config.defaults().withBatch(64, 1).withModel(2, 2, 32, 64).withBatch(65, 1));
    assertTrue(context.getMessage().contains("seqLen 65 exceeds the model's context length 64"), context.getMessage());
  }
}
