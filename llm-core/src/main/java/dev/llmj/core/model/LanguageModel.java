package dev.llmj.core.model;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.generate.Generator;
import dev.llmj.core.layers.IncrementalDecoder;
import dev.llmj.core.io.HfModel;
import dev.llmj.core.io.LayerSurgery;
import dev.llmj.core.io.SafetensorsDType;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A graph with its config: scoring, next-token logits and generation on plain int arrays; loading and
 * saving in this library's checkpoint format and in Hugging Face's; changing depth by whole layers.
 *
 * <pre>{@code
 * LanguageModel lm = LanguageModel.create(ModelConfig.preset("tiny"), 42);
 * double nll = lm.loss(ids);                                   // mean next-token cross-entropy
 * int[] text = lm.generate(prompt, GenerationConfig.greedy(20), t -> System.out.print(t + " "));
 *
 * LanguageModel gpt2 = LanguageModel.load(Path.of("models/gpt2"));      // HF folder, checkpoint or run folder
 * LanguageModel deeper = gpt2.upscale(4);                               // 12 -> 16 layers (SOLAR)
 * deeper.save(Path.of("runs/deep/init"));                               // library checkpoint format
 * deeper.exportHuggingFace(Path.of("out/gpt2-16"));                     // config.json + model.safetensors
 * TrainResult r = deeper.trainer(trainConfig).train(data).checkpoints(run).build().run();
 * }</pre>
 */
public final class LanguageModel {

  private final ComputationGraph graph;
  private final ModelConfig config;

  public LanguageModel(ComputationGraph graph, ModelConfig config) {
    long expected = config.parameterCount();
    if (graph.numParams() != expected) {
      throw new IllegalArgumentException("graph has " + graph.numParams() + " parameters but the config describes "
          + expected + "; build the graph from this config");
    }
    this.graph = graph;
    this.config = config;
  }

  /** A freshly initialised float32 model. */
  public static LanguageModel create(ModelConfig config, long seed) {
    return new LanguageModel(Transformers.build(config, seed), config);
  }

  /** A float32 model holding Hugging Face tensors (see {@link HuggingFace}). */
  public static LanguageModel fromHuggingFace(Map<String, INDArray> tensors, ModelConfig config) {
    return new LanguageModel(HuggingFace.fromHuggingFace(tensors, config), config);
  }

  /** A float32 model from a Hugging Face model in memory; its config must be one this library computes. */
  public static LanguageModel fromHuggingFace(HfModel model) {
    ModelConfig config = ModelConfig.fromHuggingFace(model.config());
    return new LanguageModel(HuggingFace.fromHuggingFace(model.tensors(), config), config);
  }

  /**
   * Loads a model from
   *
   * <ul>
   *   <li>a checkpoint folder of this library ({@code step-NNNNNNNN}, or one {@link #save} wrote), whose
   *       {@code config.json} is a {@link ModelConfig};
   *   <li>a run folder (holding {@code checkpoints/}) or a checkpoints folder: its newest complete checkpoint;
   *   <li>a Hugging Face folder of {@code model_type} gpt2, llama (with Llama 3 or linear
   *       {@code rope_scaling}), mistral, qwen2, qwen3 or gemma: {@code config.json} and
   *       {@code model.safetensors} or a sharded index, F32, F16 or BF16. config.json keys that would
   *       change the computation in a way this library does not implement are refused by name and value;
   *       keys that change nothing are logged as ignored.
   * </ul>
   *
   * Checkpoint weights keep their stored type (F64 gives a DOUBLE graph); Hugging Face weights load as float32.
   *
   * @throws IllegalArgumentException naming the folder and what is missing or mismatched
   * @throws UnsupportedOperationException for a Hugging Face variant this library does not compute
   */
  public static LanguageModel load(Path folder) throws IOException {
    return Pretrained.load(folder);
  }

  /**
   * Writes this model as a checkpoint folder of this library (config.json, model.safetensors by parameter
   * name, no optimizer state, step 0); {@code folder} must not exist. {@link #load} reads it back exactly.
   */
  public void save(Path folder) throws IOException {
    Pretrained.save(this, folder);
  }

  /**
   * A trainer builder for this model whose checkpoints carry this model's config, so {@link #load} reads
   * them; the same as {@link Trainer#builder(LanguageModel, TrainConfig)}.
   */
  public Trainer.Builder trainer(TrainConfig trainConfig) {
    return Trainer.builder(this, trainConfig);
  }

  /** This model in Hugging Face layout and names (copies; GPT-2 names without {@code transformer.}). */
  public HfModel toHuggingFaceModel() {
    Map<String, INDArray> canonical = new LinkedHashMap<>();
    HuggingFace.toHuggingFace(graph, config).forEach((name, t) -> canonical.put(
        name.startsWith("transformer.") ? name.substring("transformer.".length()) : name, t));
    return new HfModel(config.toHuggingFace(), canonical);
  }

  /** Writes {@code config.json} and float32 {@code model.safetensors} that Hugging Face transformers loads. */
  public void exportHuggingFace(Path folder) throws IOException {
    toHuggingFaceModel().save(folder);
  }

  /** As {@link #exportHuggingFace(Path)} with weights stored as {@code dtype} (F32, F16, BF16), sharded above 5 GB. */
  public void exportHuggingFace(Path folder, SafetensorsDType dtype) throws IOException {
    toHuggingFaceModel().save(folder, dtype, HfModel.DEFAULT_MAX_SHARD_BYTES);
  }

  /**
   * SOLAR depth up-scaling: layers {@code [0, n-drop)} then {@code [drop, n)}, {@code 2(n-drop)} layers
   * (see {@link LayerSurgery#depthUpScale}); the new model is independent of this one.
   */
  public LanguageModel upscale(int drop) {
    return rebuilt(LayerSurgery.depthUpScale(toHuggingFaceModel(), drop));
  }

  /** A model whose layer j is a copy of this model's layer {@code layers[j]}; indices may repeat, e.g. to shrink or reorder. */
  public LanguageModel selectLayers(int... layers) {
    return rebuilt(LayerSurgery.selectLayers(toHuggingFaceModel(), layers));
  }

  /** This model without the listed layers. */
  public LanguageModel removeLayers(int... layers) {
    return rebuilt(LayerSurgery.removeLayers(toHuggingFaceModel(), layers));
  }

  /** Same config but the layer count and same data type, holding the rearranged tensors. */
  private LanguageModel rebuilt(HfModel rearranged) {
    ModelConfig c = config.withLayers(rearranged.config().numLayers());
    return new LanguageModel(HuggingFace.fromHuggingFace(rearranged.tensors(), c, graph.params().dataType()), c);
  }

  public ComputationGraph graph() {
    return graph;
  }

  public ModelConfig config() {
    return config;
  }

  /**
   * Mean cross-entropy (nats per token) of predicting {@code ids[1..n-1]} from their prefixes;
   * {@code ids} may be at most contextLength + 1 long.
   */
  public double loss(int[] ids) {
    if (ids.length < 2 || ids.length > config.contextLength() + 1) {
      throw new IllegalArgumentException("loss needs 2 to contextLength+1 = " + (config.contextLength() + 1)
          + " tokens, got " + ids.length);
    }
    int[] in = java.util.Arrays.copyOf(ids, ids.length - 1);
    int[] next = java.util.Arrays.copyOfRange(ids, 1, ids.length);
    return graph.score(new MultiDataSet(Nd4j.createFromArray(new int[][] {in}), Nd4j.createFromArray(new int[][] {next})),
        false);
  }

  /** Logits (V) for the token after {@code ids}. */
  public float[] nextLogits(int[] ids) {
    if (ids.length == 0 || ids.length > config.contextLength()) {
      throw new IllegalArgumentException("need 1 to contextLength = " + config.contextLength() + " tokens, got "
          + ids.length);
    }
    IncrementalDecoder decoder = new IncrementalDecoder(graph, 1, ids.length);
    return decoder.feed(new int[][] {ids}).castTo(DataType.FLOAT).toFloatVector();
  }

  /** The prompt followed by generated tokens; {@code onToken} (nullable) streams each new token. */
  public int[] generate(int[] prompt, GenerationConfig generation, IntConsumer onToken) {
    return Generator.generate(graph, config.contextLength(), prompt, generation, onToken);
  }

  /** Parameters under Hugging Face names (copies). */
  public Map<String, INDArray> toHuggingFace() {
    return HuggingFace.toHuggingFace(graph, config);
  }
}
