package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.io.HfModel;
import dev.llmj.core.layers.IncrementalDecoder;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hugging Face folders of each rotary family, written with golden logits by the PyTorch reference
 * {@code src/test/python/golden_families.py} (from the published architectures, not from this library):
 * loading, float32 logits, cached decoding, greedy generation against the uncached loop, export back to
 * the Hugging Face layout, and depth up-scaling.
 */
class FamilyGoldenTest {

  static final String[] FAMILIES = {"llama3-tied", "llama-linear", "mistral", "qwen2", "qwen3", "gemma"};

  /**
   * Worst |logit difference| over the largest |golden logit|, float32 against the float64 reference:
   * measured 2.8e-7 to 9.6e-7 across the families (full and cached); the bound of 1e-5 is 10x the worst.
   */
  static final double RELATIVE_BOUND = 1e-5;

  @TempDir Path dir;

  static Path folder(String name) {
    try {
      return Path.of(FamilyGoldenTest.class.getResource("/golden/families/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource golden/families/" + name
          + "; run /usr/bin/python3 llm-core/src/test/python/golden_families.py", e);
    }
  }

  static Map<String, INDArray> golden(String name) throws IOException {
    return GoldenTest.readGolden("/golden/families/" + name + "/golden.safetensors");
  }

  static double relative(INDArray actual, INDArray expected) {
    return actual.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue()
        / expected.amaxNumber().doubleValue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama3-tied", "llama-linear", "mistral", "qwen2", "qwen3", "gemma"})
  void logitsMatchPyTorchFullAndCached(String name) throws IOException {
    LanguageModel lm = LanguageModel.load(folder(name));
    Map<String, INDArray> g = golden(name);
    INDArray ids = g.get("input_ids"), expected = g.get("logits"); // (B, T), (B, T, V)
    double full = relative(lm.graph().outputSingle(ids), expected);

    // the key/value cache, fed token by token, per sequence
    double cached = 0;
    for (int b = 0; b < ids.size(0); b++) {
      int[] row = ids.getRow(b).toIntVector();
      IncrementalDecoder dec = new IncrementalDecoder(lm.graph(), 1, row.length);
      for (int t = 0; t < row.length; t++) {
        INDArray step = dec.feed(new int[][] {{row[t]}});
        INDArray want = expected.get(NDArrayIndex.point(b), NDArrayIndex.point(t), NDArrayIndex.all());
        cached = Math.max(cached, relative(step.reshape(want.length()), want));
      }
    }
    System.out.printf("golden %-12s %s: max |logit diff| / max |logit|: full %.3g, cached %.3g (bound %.0e)%n",
        name, lm.config().architecture().id(), full, cached, RELATIVE_BOUND);
    assertTrue(full <= RELATIVE_BOUND, name + ": full forward " + full);
    assertTrue(cached <= RELATIVE_BOUND, name + ": cached decoding " + cached);
  }

  /**
   * The window convention i - W &lt; j &lt;= i is what the reference computes: the same weights with no
   * window, or with W + 1 or W - 1 keys, miss the golden logits by far more than the bound.
   */
  @Test
  void mistralWindowIsExactlyWKeys() throws IOException {
    LanguageModel lm = LanguageModel.load(folder("mistral"));
    Map<String, INDArray> g = golden("mistral");
    int w = lm.config().window();
    assertEquals(4, w);
    for (int other : new int[] {0, w - 1, w + 1}) {
      LanguageModel changed = LanguageModel.fromHuggingFace(lm.toHuggingFace(), lm.config().withWindow(other));
      double diff = relative(changed.graph().outputSingle(g.get("input_ids")), g.get("logits"));
      System.out.printf("mistral with window %d instead of %d: relative logit difference %.3g%n", other, w, diff);
      assertTrue(diff > 100 * RELATIVE_BOUND, "window " + other + " should not match the golden logits: " + diff);
    }
  }

  /** Greedy generation through the key/value cache equals re-running the whole prefix for every token. */
  @ParameterizedTest
  @ValueSource(strings = {"llama3-tied", "mistral", "qwen2", "qwen3", "gemma"})
  void cachedGenerationEqualsUncached(String name) throws IOException {
    LanguageModel lm = LanguageModel.load(folder(name));
    int[] prompt = {3, 14, 15, 9};
    int[] cached = lm.generate(prompt, GenerationConfig.greedy(8), null);
    int[] plain = Arrays.copyOf(prompt, prompt.length + 8);
    for (int n = prompt.length; n < plain.length; n++) {
      INDArray logits = lm.graph().outputSingle(org.nd4j.linalg.factory.Nd4j.createFromArray(
          new int[][] {Arrays.copyOf(plain, n)}));
      plain[n] = logits.get(NDArrayIndex.point(0), NDArrayIndex.point(n - 1), NDArrayIndex.all()).argMax().getInt(0);
    }
    System.out.println("generated " + name + ": " + Arrays.toString(cached));
    assertArrayEquals(plain, cached, name);
  }

  /** Export writes the same tensors under the same names, and the exported folder loads as the same model. */
  @ParameterizedTest
  @ValueSource(strings = {"llama3-tied", "llama-linear", "mistral", "qwen2", "qwen3", "gemma"})
  void exportGivesIdenticalTensors(String name) throws IOException {
    LanguageModel lm = LanguageModel.load(folder(name));
    Path out = dir.resolve(name);
    lm.exportHuggingFace(out);
    HfModel original = HfModel.load(folder(name)), exported = HfModel.load(out);
    assertEquals(original.tensors().keySet(), exported.tensors().keySet(), name);
    for (Map.Entry<String, INDArray> e : original.tensors().entrySet()) {
      assertEquals(e.getValue(), exported.tensors().get(e.getKey()), name + " " + e.getKey());
    }
    assertEquals(original.config().modelType(), exported.config().modelType());
    assertEquals(lm.config(), LanguageModel.load(out).config(), name);
  }

  /** SOLAR depth up-scaling keeps each family's own tensors (q/k norms, biases) in the copied layers. */
  @ParameterizedTest
  @ValueSource(strings = {"mistral", "qwen2", "qwen3", "gemma"})
  void depthUpScalingCopiesWholeLayers(String name) throws IOException {
    LanguageModel lm = LanguageModel.load(folder(name));
    LanguageModel up = lm.upscale(0); // layers 0, 1 | 0, 1
    assertEquals(4, up.config().nLayers());
    Map<String, INDArray> base = lm.toHuggingFace(), deeper = up.toHuggingFace();
    int compared = 0;
    for (Map.Entry<String, INDArray> e : base.entrySet()) {
      if (e.getKey().startsWith("model.layers.")) {
        String moved = e.getKey().replaceFirst("^model\\.layers\\.(\\d+)\\.",
            "model.layers." + (Integer.parseInt(e.getKey().split("\\.")[2]) + 2) + ".");
        assertEquals(e.getValue(), deeper.get(moved), moved);
        assertEquals(e.getValue(), deeper.get(e.getKey()), e.getKey());
        compared++;
      }
    }
    assertTrue(compared > 0);
    Path out = dir.resolve(name + "-up");
    up.exportHuggingFace(out);
    assertEquals(up.config(), LanguageModel.load(out).config());
  }
}
