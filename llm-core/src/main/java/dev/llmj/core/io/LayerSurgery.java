package dev.llmj.core.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Changes a model's depth by rearranging whole transformer blocks: select, repeat, reorder or drop
 * layers by index, and SOLAR-style depth up-scaling. Layer indices in tensor names ({@code h.{i}.}
 * or {@code model.layers.{i}.}) are renumbered and the config's layer count updated; embeddings,
 * final norm and head are carried over unchanged.
 *
 * <p>Arrays used once are the input's arrays (no copy); every further use of the same layer gets its
 * own copy, so training one repeat never changes another.
 *
 * <pre>{@code
 * HfModel base = HfModel.load(Path.of("llama-32-layers"));
 * HfModel solar = LayerSurgery.depthUpScale(base, 8);          // 48 layers: [0, 24) then [8, 32)
 * HfModel small = LayerSurgery.removeLayers(base, 30, 31);     // 30 layers
 * HfModel mixed = LayerSurgery.selectLayers(base, 0, 1, 1, 2); // layer 1 twice
 * }</pre>
 */
public final class LayerSurgery {
  private LayerSurgery() {}

  /**
   * A model whose layer {@code j} is a copy of the input's layer {@code layers[j]}. Indices may repeat
   * and appear in any order.
   */
  public static HfModel selectLayers(HfModel model, int... layers) {
    int n = model.config().numLayers();
    if (layers.length == 0) {
      throw new IllegalArgumentException("layer list is empty; a model needs at least one layer");
    }
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] < 0 || layers[i] >= n) {
        throw new IllegalArgumentException("layer index " + layers[i] + " at position " + i
            + " is out of range; the model has layers 0.." + (n - 1));
      }
    }
    LayerNaming naming = LayerNaming.of(model.config());
    Map<String, INDArray> before = new LinkedHashMap<>();
    Map<String, INDArray> after = new LinkedHashMap<>();
    Map<Integer, Map<String, INDArray>> byLayer = new TreeMap<>();
    for (Map.Entry<String, INDArray> e : model.tensors().entrySet()) {
      int layer = naming.layerIndex(e.getKey());
      if (layer >= 0) {
        byLayer.computeIfAbsent(layer, k -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
      } else {
        (byLayer.isEmpty() ? before : after).put(e.getKey(), e.getValue());
      }
    }
    Map<String, INDArray> out = new LinkedHashMap<>(before);
    Set<Integer> used = new HashSet<>();
    for (int j = 0; j < layers.length; j++) {
      boolean repeat = !used.add(layers[j]);
      for (Map.Entry<String, INDArray> e : byLayer.getOrDefault(layers[j], Map.of()).entrySet()) {
        out.put(naming.rename(e.getKey(), j), repeat ? e.getValue().dup() : e.getValue());
      }
    }
    out.putAll(after);
    return new HfModel(model.config().withNumLayers(layers.length), out);
  }

  /** The model without the listed layers; the others keep their order. */
  public static HfModel removeLayers(HfModel model, int... layers) {
    int n = model.config().numLayers();
    Set<Integer> drop = new HashSet<>();
    for (int layer : layers) {
      if (layer < 0 || layer >= n) {
        throw new IllegalArgumentException("layer index " + layer + " is out of range; the model has layers 0.." + (n - 1));
      }
      if (!drop.add(layer)) {
        throw new IllegalArgumentException("layer " + layer + " is listed twice in " + Arrays.toString(layers));
      }
    }
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!drop.contains(i)) {
        keep.add(i);
      }
    }
    if (keep.isEmpty()) {
      throw new IllegalArgumentException("removing " + Arrays.toString(layers) + " would leave no layers");
    }
    return selectLayers(model, keep.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Depth up-scaling (SOLAR, Kim et al. 2023): layers {@code [0, n-m)} of one copy followed by layers
   * {@code [m, n)} of a second copy, {@code 2(n-m)} layers in all. SOLAR 10.7B used n = 32, m = 8.
   *
   * @param overlap m, the number of layers cut from each copy at the seam; 0 stacks two full copies
   */
  public static HfModel depthUpScale(HfModel model, int overlap) {
    int n = model.config().numLayers();
    if (overlap < 0 || overlap >= n) {
      throw new IllegalArgumentException("overlap m = " + overlap + " must be in [0, " + n
          + ") for a model with n = " + n + " layers; each copy keeps n - m layers");
    }
    int[] layers = new int[2 * (n - overlap)];
    for (int i = 0; i < n - overlap; i++) {
      layers[i] = i;
      layers[n - overlap + i] = overlap + i;
    }
    return selectLayers(model, layers);
  }
}
