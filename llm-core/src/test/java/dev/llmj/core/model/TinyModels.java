package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmj.core.train.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny models of both architectures, a learnable token sequence, and exact parameter comparison. */
final class TinyModels {
  static final long SEED = Long.getLong("tests.seed", 0x11a3);
  static final int VOCAB = 23;

  private TinyModels() {}

  static ModelConfig gpt2(int layers, boolean tied) {
    return ModelConfig.of(Architecture.GPT2, VOCAB, 24, layers, 2, 16).withTiedEmbeddings(tied);
  }

  static ModelConfig llama(int layers, boolean tied) {
    return ModelConfig.of(Architecture.LLAMA, VOCAB, 24, layers, 2, 16).withKvHeads(1).withTiedEmbeddings(tied);
  }

  /**
   * GPT-2 and Llama, each tied and untied, the GPT-2 ones with non-default dropout and init std; then
   * {@link #families}.
   */
  static List<ModelConfig> all(int layers) {
    ModelConfig g = gpt2(layers, true);
    ModelConfig odd = new ModelConfig(g.architecture(), g.vocabSize(), g.contextLength(), g.nLayers(), g.nHeads(),
        g.nKvHeads(), g.dModel(), 40, false, 0, 1e-6, 0.1, 0.01);
    List<ModelConfig> all = new java.util.ArrayList<>(List.of(g, odd, llama(layers, true), llama(layers, false)));
    all.addAll(families(layers));
    return all;
  }

  /**
   * One model of each option beyond plain Llama (C=16, H=2): llama3 and linear rope scaling, a mistral
   * window of 5, qwen2's q/k/v biases (tied), qwen3's q/k norms with head size 12, gemma (head size 12,
   * one key/value head, tied).
   */
  static List<ModelConfig> families(int layers) {
    return List.of(
        llama(layers, true).withRopeScaling(dev.llmj.core.layers.RopeScaling.llama3(8, 1, 4, 16)),
        llama(layers, false).withRopeScaling(dev.llmj.core.layers.RopeScaling.linear(2)),
        ModelConfig.of(Architecture.MISTRAL, VOCAB, 24, layers, 2, 16).withKvHeads(1).withWindow(5),
        ModelConfig.of(Architecture.QWEN2, VOCAB, 24, layers, 2, 16).withKvHeads(1).withTiedEmbeddings(true),
        ModelConfig.of(Architecture.QWEN3, VOCAB, 24, layers, 2, 16).withHeadSize(12),
        ModelConfig.of(Architecture.GEMMA, VOCAB, 24, layers, 2, 16).withKvHeads(1).withHeadSize(12));
  }

  /** A fixed cycle over {@code period} distinct ids, repeated to {@code length} tokens from {@code start}. */
  static int[] cycle(int period, int start, int length) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = (7 * ((start + i) % period) + 3) % VOCAB;
    }
    return ids;
  }

  /** {@code steps} Adam steps (lr 0.01, batch 4) on random windows of {@link #cycle}; returns the trained model. */
  static LanguageModel trainedOnCycle(ModelConfig config, int period, int steps, long seed) {
    Random r = new Random(seed);
    int t = config.contextLength();
    int[][] in = new int[4 * steps][];
    int[][] next = new int[4 * steps][];
    for (int b = 0; b < in.length; b++) {
      int[] w = cycle(period, r.nextInt(period), t + 1);
      in[b] = Arrays.copyOf(w, t);
      next[b] = Arrays.copyOfRange(w, 1, t + 1);
    }
    DataSet windows = new DataSet(Nd4j.createFromArray(in), Nd4j.createFromArray(next)); // (4 steps, T) each
    LanguageModel m = LanguageModel.create(config, seed);
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=" + steps, "lr=0.01", "decay=constant",
        "warmup_steps=0", "weight_decay=0", "seq_len=" + t, "micro_batch=4", "progress=never", "threads=1", "seed=" + seed));
    try {
      m.trainer(cfg).train(new ViewIterator(windows, 4)).build().run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  /** Asserts equal configs and bit-identical parameters; prints and returns the worst difference (0). */
  static double assertSameModel(LanguageModel expected, LanguageModel actual, String what) {
    assertEquals(expected.config(), actual.config(), what);
    float[] a = expected.graph().params().castTo(DataType.FLOAT).toFloatVector();
    float[] b = actual.graph().params().castTo(DataType.FLOAT).toFloatVector();
    assertEquals(a.length, b.length, what);
    double worst = 0;
    int differing = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      differing += Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i]) ? 0 : 1;
    }
    System.out.printf("%s: %d parameters, %d differ, worst difference %g%n", what, a.length, differing, worst);
    assertEquals(0, differing, what + ": parameters differing in their bits");
    return worst;
  }
}
