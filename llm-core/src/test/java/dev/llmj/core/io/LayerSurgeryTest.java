package dev.llmj.core.io;

import static dev.llmj.core.io.TestModels.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class LayerSurgeryTest {

  /** Independent check: every tensor of new layer j equals the one of old layer source[j]; the rest unchanged. */
  private static void assertMapping(HfModel in, HfModel out, String layerPrefix, int[] source) {
    assertEquals(source.length, out.config().numLayers());
    Map<String, INDArray> expected = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : in.tensors().entrySet()) {
      if (!e.getKey().startsWith(layerPrefix)) {
        expected.put(e.getKey(), e.getValue());
      }
    }
    for (int j = 0; j < source.length; j++) {
      String from = layerPrefix + source[j] + ".";
      for (Map.Entry<String, INDArray> e : in.tensors().entrySet()) {
        if (e.getKey().startsWith(from)) {
          expected.put(layerPrefix + j + "." + e.getKey().substring(from.length()), e.getValue());
        }
      }
    }
    assertEquals(expected.keySet(), out.tensors().keySet());
    TestModels.assertExactlyEqual(expected, reorder(out.tensors(), expected));
  }

  private static Map<String, INDArray> reorder(Map<String, INDArray> m, Map<String, INDArray> order) {
    Map<String, INDArray> r = new LinkedHashMap<>();
    order.keySet().forEach(k -> r.put(k, m.get(k)));
    return r;
  }

  @Test
  void depthUpScalingFollowsSolarIndexMapping() {
    HfModel gpt2 = new HfModel(TestModels.tinyGpt2(6), TestModels.random(TestModels.tinyGpt2(6), TestModels.SEED));
    HfModel up = LayerSurgery.depthUpScale(gpt2, 2);
    int[] expected = {0, 1, 2, 3, 2, 3, 4, 5}; // [0, n-m) then [m, n) with n = 6, m = 2
    assertMapping(gpt2, up, "h.", expected);
    assertEquals(8, ((HfConfig.Gpt2) up.config()).nLayer());
    assertSame(gpt2.tensors().get("h.2.attn.c_attn.weight"), up.tensors().get("h.2.attn.c_attn.weight"), "first use shared");
    assertNotSame(gpt2.tensors().get("h.2.attn.c_attn.weight"), up.tensors().get("h.4.attn.c_attn.weight"), "repeat copied");
    assertSame(gpt2.tensors().get("wte.weight"), up.tensors().get("wte.weight"));

    HfModel llama = new HfModel(TestModels.tinyLlama(4), TestModels.random(TestModels.tinyLlama(4), TestModels.SEED));
    HfModel stacked = LayerSurgery.depthUpScale(llama, 0);
    assertMapping(llama, stacked, "model.layers.", new int[] {0, 1, 2, 3, 0, 1, 2, 3});
    assertEquals(8, ((HfConfig.Llama) stacked.config()).numHiddenLayers());
    assertMapping(llama, LayerSurgery.depthUpScale(llama, 3), "model.layers.", new int[] {0, 3});
    System.out.println("depth up-scaling: index mapping exact for gpt2 (n=6, m=2) and llama (n=4, m=0, 3)");
  }

  @Test
  void selectRemoveAndReorder() {
    HfConfig.Llama config = TestModels.tinyLlama(5);
    HfModel llama = new HfModel(config, TestModels.random(config, TestModels.SEED));
    assertMapping(llama, LayerSurgery.selectLayers(llama, 4, 3, 2, 1, 0), "model.layers.", new int[] {4, 3, 2, 1, 0});
    assertMapping(llama, LayerSurgery.selectLayers(llama, 1, 1, 1), "model.layers.", new int[] {1, 1, 1});
    assertMapping(llama, LayerSurgery.removeLayers(llama, 0, 3), "model.layers.", new int[] {1, 2, 4});
    HfModel gpt2 = new HfModel(TestModels.tinyGpt2(3), TestModels.random(TestModels.tinyGpt2(3), TestModels.SEED));
    assertMapping(gpt2, LayerSurgery.selectLayers(gpt2, 2), "h.", new int[] {2});
    assertEquals(config.withNumLayers(3).extra(), LayerSurgery.removeLayers(llama, 0, 1).config().extra());
  }

  @Test
  void rejectsBadIndices() {
    HfModel gpt2 = new HfModel(TestModels.tinyGpt2(4), TestModels.random(TestModels.tinyGpt2(4), TestModels.SEED));
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.selectLayers(gpt2, 0, 4),
        "layer index 4 at position 1 is out of range; the model has layers 0..3");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.selectLayers(gpt2, -1), "layer index -1");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.selectLayers(gpt2), "layer list is empty");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.depthUpScale(gpt2, 4),
        "overlap m = 4 must be in [0, 4) for a model with n = 4 layers");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.depthUpScale(gpt2, 7), "overlap m = 7");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.depthUpScale(gpt2, -1), "overlap m = -1");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.removeLayers(gpt2, 0, 1, 2, 3), "would leave no layers");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.removeLayers(gpt2, 1, 1), "layer 1 is listed twice");
    assertThrowsWith(IllegalArgumentException.class, () -> LayerSurgery.removeLayers(gpt2, 9), "layer index 9 is out of range");
  }
}
