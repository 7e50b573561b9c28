package dev.llmj.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Converts between this library's parameters and Hugging Face tensor names and shapes, on plain
 * {@code name -> tensor} maps (reading and writing safetensors files is the I/O package's job).
 *
 * <ul>
 *   <li>GPT-2 ({@code GPT2LMHeadModel}): {@code transformer.wte.weight}, {@code transformer.h.{i}.attn.c_attn.weight}
 *       (C, 3C) in Conv1D (in, out) layout, etc. Reading also accepts names without the
 *       {@code transformer.} prefix (as {@code GPT2Model} saves them) and skips the causal-mask buffers.
 *   <li>Llama ({@code LlamaForCausalLM}) and the families named like it (Mistral, Qwen 2 and 3, Gemma):
 *       {@code model.layers.{i}.self_attn.q_proj.weight} (out, in), Qwen 2's {@code q_proj.bias}, Qwen 3's
 *       {@code self_attn.q_norm.weight}, etc. Gemma's norm weights are stored, like ours, as the offset w
 *       of the gain 1 + w.
 * </ul>
 *
 * A tied model writes no {@code lm_head.weight} and ignores one when reading. The round trip is exact.
 *
 * <pre>{@code
 * Map<String, INDArray> hf = HuggingFace.toHuggingFace(graph, config);
 * ComputationGraph again = HuggingFace.fromHuggingFace(hf, config);
 * }</pre>
 */
public final class HuggingFace {

  private HuggingFace() {}

  /** How a Hugging Face tensor relates to ours: the same, transposed, or our tensors side by side (last axis). */
  private enum Layout { SAME, TRANSPOSED, CONCAT }

  private record Entry(String name, String vertex, List<String> keys, Layout layout) {}

  private static List<Entry> entries(ModelConfig c) {
    List<Entry> e = new ArrayList<>();
    boolean gpt = c.architecture() == Architecture.GPT2;
    String emb = Transformers.EMBED;
    if (gpt) {
      String p = "transformer.";
      e.add(new Entry(p + "wte.weight", emb, List.of("wte"), Layout.SAME));
      e.add(new Entry(p + "wpe.weight", emb, List.of("wpe"), Layout.SAME));
      for (int i = 0; i < c.nLayers(); i++) {
        String h = p + "h." + i + ".";
        String b = Transformers.block(i);
        e.add(new Entry(h + "ln_1.weight", b, List.of("norm1gain"), Layout.SAME));
        e.add(new Entry(h + "ln_1.bias", b, List.of("norm1bias"), Layout.SAME));
        e.add(new Entry(h + "attn.c_attn.weight", b, List.of("wq", "wk", "wv"), Layout.CONCAT));
        e.add(new Entry(h + "attn.c_attn.bias", b, List.of("bq", "bk", "bv"), Layout.CONCAT));
        e.add(new Entry(h + "attn.c_proj.weight", b, List.of("wo"), Layout.SAME));
        e.add(new Entry(h + "attn.c_proj.bias", b, List.of("bo"), Layout.SAME));
        e.add(new Entry(h + "ln_2.weight", b, List.of("norm2gain"), Layout.SAME));
        e.add(new Entry(h + "ln_2.bias", b, List.of("norm2bias"), Layout.SAME));
        e.add(new Entry(h + "mlp.c_fc.weight", b, List.of("wup"), Layout.SAME));
        e.add(new Entry(h + "mlp.c_fc.bias", b, List.of("bup"), Layout.SAME));
        e.add(new Entry(h + "mlp.c_proj.weight", b, List.of("wdown"), Layout.SAME));
        e.add(new Entry(h + "mlp.c_proj.bias", b, List.of("bdown"), Layout.SAME));
      }
      e.add(new Entry(p + "ln_f.weight", Transformers.HEAD, List.of("normfgain"), Layout.SAME));
      e.add(new Entry(p + "ln_f.bias", Transformers.HEAD, List.of("normfbias"), Layout.SAME));
    } else {
      e.add(new Entry("model.embed_tokens.weight", emb, List.of("wte"), Layout.SAME));
      for (int i = 0; i < c.nLayers(); i++) {
        String h = "model.layers." + i + ".";
        String b = Transformers.block(i);
        e.add(new Entry(h + "input_layernorm.weight", b, List.of("norm1gain"), Layout.SAME));
        for (String proj : List.of("q", "k", "v", "o")) {
          e.add(new Entry(h + "self_attn." + proj + "_proj.weight", b, List.of("w" + proj), Layout.TRANSPOSED));
          if (c.architecture().qkvBias && !proj.equals("o")) {
            e.add(new Entry(h + "self_attn." + proj + "_proj.bias", b, List.of("b" + proj), Layout.SAME));
          }
        }
        if (c.architecture().qkNorm) {
          e.add(new Entry(h + "self_attn.q_norm.weight", b, List.of("qnormgain"), Layout.SAME));
          e.add(new Entry(h + "self_attn.k_norm.weight", b, List.of("knormgain"), Layout.SAME));
        }
        e.add(new Entry(h + "post_attention_layernorm.weight", b, List.of("norm2gain"), Layout.SAME));
        for (String proj : List.of("gate", "up", "down")) {
          e.add(new Entry(h + "mlp." + proj + "_proj.weight", b, List.of("w" + proj), Layout.TRANSPOSED));
        }
      }
      e.add(new Entry("model.norm.weight", Transformers.HEAD, List.of("normfgain"), Layout.SAME));
    }
    if (!c.tiedEmbeddings()) {
      e.add(new Entry("lm_head.weight", Transformers.HEAD, List.of("wout"), Layout.TRANSPOSED));
    }
    return e;
  }

  /** Copies of the graph's parameters under Hugging Face names and shapes, in the graph's data type. */
  public static Map<String, INDArray> toHuggingFace(ComputationGraph graph, ModelConfig config) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Entry e : entries(config)) {
      INDArray[] ours = e.keys().stream().map(k -> param(graph, e, k)).toArray(INDArray[]::new);
      INDArray t = switch (e.layout()) {
        case SAME -> ours[0].dup('c');
        case TRANSPOSED -> ours[0].transpose().dup('c');
        case CONCAT -> Nd4j.concat(ours[0].rank() - 1, ours).dup('c');
      };
      out.put(e.name(), t);
    }
    return out;
  }

  /** A new float32 graph holding the given Hugging Face tensors. */
  public static ComputationGraph fromHuggingFace(Map<String, INDArray> tensors, ModelConfig config) {
    return fromHuggingFace(tensors, config, DataType.FLOAT);
  }

  public static ComputationGraph fromHuggingFace(Map<String, INDArray> tensors, ModelConfig config, DataType type) {
    ComputationGraph graph = Transformers.build(config, 0, type, new Adam(3e-4));
    copyInto(tensors, graph, config);
    return graph;
  }

  /**
   * Assigns Hugging Face tensors to an existing graph's parameters. Every expected name must be
   * present with its exact shape; names the model does not have are errors.
   */
  public static void copyInto(Map<String, INDArray> tensors, ComputationGraph graph, ModelConfig config) {
    Map<String, INDArray> byName = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
      String name = t.getKey();
      if (config.architecture() == Architecture.GPT2 && !name.startsWith("transformer.") && !name.equals("lm_head.weight")) {
        name = "transformer." + name;
      }
      byName.put(name, t.getValue());
    }
    List<Entry> entries = entries(config);
    TreeSet<String> unused = new TreeSet<>(byName.keySet());
    for (Entry e : entries) {
      INDArray t = byName.get(e.name());
      if (t == null) {
        throw new IllegalArgumentException("missing tensor '" + e.name() + "' for a " + config.architecture().id()
            + " model with " + config.nLayers() + " layers; check the config matches the checkpoint");
      }
      unused.remove(e.name());
      INDArray[] ours = e.keys().stream().map(k -> param(graph, e, k)).toArray(INDArray[]::new);
      long[] expected = hfShape(e.layout(), ours);
      if (!Arrays.equals(expected, t.shape())) {
        throw new IllegalArgumentException("tensor '" + e.name() + "' has shape " + Arrays.toString(t.shape())
            + ", expected " + Arrays.toString(expected) + " for this config");
      }
      INDArray src = t.castTo(ours[0].dataType());
      switch (e.layout()) {
        case SAME -> ours[0].assign(src);
        case TRANSPOSED -> ours[0].assign(src.transpose());
        case CONCAT -> {
          long at = 0;
          for (INDArray p : ours) {
            long width = p.size(p.rank() - 1);
            INDArray part = p.rank() == 1
                ? src.get(NDArrayIndex.interval(at, at + width))
                : src.get(NDArrayIndex.all(), NDArrayIndex.interval(at, at + width));
            p.assign(part);
            at += width;
          }
        }
      }
    }
    unused.removeIf(n -> n.endsWith(".attn.bias") && config.architecture() == Architecture.GPT2
        || n.endsWith(".attn.masked_bias") || n.equals("lm_head.weight") && config.tiedEmbeddings());
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException("tensors " + unused + " have no place in a " + config.architecture().id()
          + " model with " + config.nLayers() + " layers" + (config.tiedEmbeddings() ? " and tied embeddings" : ""));
    }
  }

  private static long[] hfShape(Layout layout, INDArray[] ours) {
    return switch (layout) {
      case SAME -> ours[0].shape();
      case TRANSPOSED -> new long[] {ours[0].size(1), ours[0].size(0)};
      case CONCAT -> {
        long[] s = ours[0].shape().clone();
        s[s.length - 1] = Arrays.stream(ours).mapToLong(p -> p.size(p.rank() - 1)).sum();
        yield s;
      }
    };
  }

  private static INDArray param(ComputationGraph graph, Entry e, String key) {
    INDArray p = graph.getLayer(e.vertex()).getParam(key);
    if (p == null) {
      throw new IllegalStateException("graph layer " + e.vertex() + " has no parameter " + key + " for " + e.name());
    }
    return p;
  }
}
