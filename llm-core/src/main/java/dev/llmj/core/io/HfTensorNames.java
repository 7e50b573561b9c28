package dev.llmj.core.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tensor names and shapes a Hugging Face checkpoint of a given configuration holds, in HF's own
 * layouts: GPT-2's {@code Conv1D} weights are (in, out), the Llama family's {@code Linear} weights are
 * (out, in); Qwen 2 adds q, k and v biases, Qwen 3 per-head {@code q_norm} and {@code k_norm} weights.
 * Names are canonical: GPT-2 without the optional {@code transformer.} prefix.
 *
 * <pre>{@code
 * Map<String, long[]> expected = HfTensorNames.expected(config);   // "h.0.attn.c_attn.weight" -> [C, 3C]
 * HfTensorNames.check(config, tensors, "my export");              // names every missing / extra / misshapen tensor
 * }</pre>
 */
public final class HfTensorNames {
  private HfTensorNames() {}

  /** Stored by some exports but not model parameters: causal-mask and rotary-frequency buffers. */
  private static final Pattern BUFFERS = Pattern.compile(
      "h\\.\\d+\\.attn\\.(bias|masked_bias)|model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");

  private static final String GPT2_PREFIX = "transformer.";

  /**
   * Every parameter the model needs, name to HF shape, in module order. A tied {@code lm_head.weight}
   * is not listed: it is optional (HF drops it on save and {@link #check} accepts it either way).
   */
  public static Map<String, long[]> expected(HfConfig config) {
    Map<String, long[]> m = new LinkedHashMap<>();
    if (config instanceof HfConfig.Gpt2 g) {
      long c = g.nEmbd();
      long inner = g.nInner();
      m.put("wte.weight", new long[] {g.vocabSize(), c});
      m.put("wpe.weight", new long[] {g.nPositions(), c});
      for (int i = 0; i < g.nLayer(); i++) {
        String p = "h." + i + ".";
        m.put(p + "ln_1.weight", new long[] {c});
        m.put(p + "ln_1.bias", new long[] {c});
        m.put(p + "attn.c_attn.weight", new long[] {c, 3 * c});
        m.put(p + "attn.c_attn.bias", new long[] {3 * c});
        m.put(p + "attn.c_proj.weight", new long[] {c, c});
        m.put(p + "attn.c_proj.bias", new long[] {c});
        m.put(p + "ln_2.weight", new long[] {c});
        m.put(p + "ln_2.bias", new long[] {c});
        m.put(p + "mlp.c_fc.weight", new long[] {c, inner});
        m.put(p + "mlp.c_fc.bias", new long[] {inner});
        m.put(p + "mlp.c_proj.weight", new long[] {inner, c});
        m.put(p + "mlp.c_proj.bias", new long[] {c});
      }
      m.put("ln_f.weight", new long[] {c});
      m.put("ln_f.bias", new long[] {c});
    } else if (config instanceof HfConfig.Llama l) {
      long c = l.hiddenSize();
      long q = (long) l.numAttentionHeads() * l.headDim();
      long kv = (long) l.numKeyValueHeads() * l.headDim();
      long inner = l.intermediateSize();
      m.put("model.embed_tokens.weight", new long[] {l.vocabSize(), c});
      for (int i = 0; i < l.numHiddenLayers(); i++) {
        String p = "model.layers." + i + ".";
        m.put(p + "input_layernorm.weight", new long[] {c});
        boolean qkvBias = l.attentionBias() || l.modelType().equals("qwen2"); // Qwen 2 always has q, k, v biases
        linear(m, p + "self_attn.q_proj", q, c, qkvBias);
        linear(m, p + "self_attn.k_proj", kv, c, qkvBias);
        linear(m, p + "self_attn.v_proj", kv, c, qkvBias);
        if (l.modelType().equals("qwen3")) {
          m.put(p + "self_attn.q_norm.weight", new long[] {l.headDim()});
          m.put(p + "self_attn.k_norm.weight", new long[] {l.headDim()});
        }
        linear(m, p + "self_attn.o_proj", c, q, l.attentionBias());
        m.put(p + "post_attention_layernorm.weight", new long[] {c});
        linear(m, p + "mlp.gate_proj", inner, c, l.mlpBias());
        linear(m, p + "mlp.up_proj", inner, c, l.mlpBias());
        linear(m, p + "mlp.down_proj", c, inner, l.mlpBias());
      }
      m.put("model.norm.weight", new long[] {c});
    }
    if (!config.tieWordEmbeddings()) {
      m.put("lm_head.weight", new long[] {config.vocabSize(), hiddenSize(config)});
    }
    return m;
  }

  private static void linear(Map<String, long[]> m, String name, long out, long in, boolean bias) {
    m.put(name + ".weight", new long[] {out, in});
    if (bias) {
      m.put(name + ".bias", new long[] {out});
    }
  }

  private static long hiddenSize(HfConfig config) {
    return config instanceof HfConfig.Gpt2 g ? g.nEmbd() : ((HfConfig.Llama) config).hiddenSize();
  }

  /**
   * The canonical form of a stored name: GPT-2's {@code transformer.} prefix removed. Returns
   * {@code null} for known non-parameter buffers, which loaders skip.
   */
  static String canonical(HfConfig config, String stored) {
    String name = config instanceof HfConfig.Gpt2 && stored.startsWith(GPT2_PREFIX)
        ? stored.substring(GPT2_PREFIX.length()) : stored;
    return BUFFERS.matcher(name).matches() ? null : name;
  }

  /** Checks an in-memory map; see {@link #check(HfConfig, Map, String)}. */
  public static void check(HfConfig config, Map<String, INDArray> tensors, String source) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    tensors.forEach((k, v) -> shapes.put(k, v.shape()));
    checkShapes(config, shapes, source);
  }

  /**
   * Fails with one message listing every missing tensor, every unexpected one and every shape that
   * differs from {@link #expected}. Names must be canonical.
   */
  static void checkShapes(HfConfig config, Map<String, long[]> actual, String source) {
    Map<String, long[]> expected = expected(config);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] shape = actual.get(e.getKey());
      if (shape == null) {
        problems.add("missing '" + e.getKey() + "' " + Arrays.toString(e.getValue()));
      } else if (!Arrays.equals(shape, e.getValue())) {
        problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(shape) + ", expected "
            + Arrays.toString(e.getValue()));
      }
    }
    for (Map.Entry<String, long[]> e : actual.entrySet()) {
      String name = e.getKey();
      if (expected.containsKey(name)) {
        continue;
      }
      if (name.equals("lm_head.weight") && config.tieWordEmbeddings()) {
        long[] want = {config.vocabSize(), hiddenSize(config)};
        if (!Arrays.equals(e.getValue(), want)) {
          problems.add("'lm_head.weight' has shape " + Arrays.toString(e.getValue()) + ", expected "
              + Arrays.toString(want));
        }
        continue;
      }
      problems.add("unexpected '" + name + "'" + layerHint(config, name));
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 20);
      throw new IllegalArgumentException(source + ": tensors do not match a " + config.modelType() + " model with "
          + config.numLayers() + " layers (" + problems.size() + " problems): "
          + String.join("; ", problems.subList(0, shown)) + (shown < problems.size() ? "; ..." : ""));
    }
  }

  private static String layerHint(HfConfig config, String name) {
    int layer = LayerNaming.of(config).layerIndex(name);
    return layer >= config.numLayers() ? " (layer " + layer + " but the config has " + config.numLayers()
        + "; is num layers in config.json right?)" : "";
  }
}
