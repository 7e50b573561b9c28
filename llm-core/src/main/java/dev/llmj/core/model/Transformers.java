package dev.llmj.core.model;

import dev.llmj.core.layers.DecoderBlockConfig;
import dev.llmj.core.layers.LmHeadConfig;
import dev.llmj.core.layers.TiedHeadVertex;
import dev.llmj.core.layers.TokenEmbeddingConfig;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Builds the DL4J graph of a {@link ModelConfig}: input {@code "ids"} (B, T) token ids, vertices
 * {@code "embed"}, {@code "block0" .. "block{L-1}"}, {@code "head"}; output logits (B, T, V); labels
 * (B, T) next-token ids with -1 ignored.
 *
 * <pre>{@code
 * ComputationGraph g = Transformers.build(ModelConfig.preset("tiny"), 42);
 * INDArray logits = g.outputSingle(ids);                    // (B, T, V)
 * g.fit(new MultiDataSet(ids, nextIds));                    // one Adam step on the mean loss
 * }</pre>
 *
 * Initialisation follows GPT-2: normal(0, initStd) matrices, residual output projections
 * (attention {@code wo} and MLP {@code wdown}) scaled by 1/sqrt(2 nLayers), zero biases, unit norm
 * gains; the same seed gives identical parameters.
 */
public final class Transformers {

  public static final String INPUT = "ids";
  public static final String EMBED = "embed";
  public static final String HEAD = "head";

  private Transformers() {}

  public static String block(int i) {
    return "block" + i;
  }

  /** A float32 graph with Adam(3e-4), initialised from {@code seed}. */
  public static ComputationGraph build(ModelConfig config, long seed) {
    return build(config, seed, DataType.FLOAT, new Adam(3e-4));
  }

  public static ComputationGraph build(ModelConfig config, long seed, DataType dataType, IUpdater updater) {
    ComputationGraph graph = new ComputationGraph(configuration(config, seed, dataType, updater));
    graph.init();
    return graph;
  }

  public static ComputationGraphConfiguration configuration(
      ModelConfig config, long seed, DataType dataType, IUpdater updater) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
    }
    NeuralNetConfiguration.Builder global = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .updater(updater)
        // Forward intermediates live in the forward-cache workspace until backward reads them.
        .cacheMode(CacheMode.DEVICE);
    ComputationGraphConfiguration.GraphBuilder g = global.clone().graphBuilder().addInputs(INPUT);

    TokenEmbeddingConfig embed = TokenEmbeddingConfig.of(config.vocabSize(), config.dModel(), config.contextLength(),
        config.architecture().learnedPositions, config.dropout());
    embed.setInitStd(config.initStd());
    if (config.architecture().scaledEmbeddings) {
      embed.setScale(Math.sqrt(config.dModel()));
    }
    g.addLayer(EMBED, embed, INPUT);

    double residualStd = config.initStd() / Math.sqrt(2.0 * config.nLayers());
    String previous = EMBED;
    for (int i = 0; i < config.nLayers(); i++) {
      DecoderBlockConfig b = new DecoderBlockConfig();
      b.setDModel(config.dModel());
      b.setNHeads(config.nHeads());
      b.setNKvHeads(config.nKvHeads());
      b.setFfnHidden(config.ffnHidden());
      b.setNorm(config.architecture().norm);
      b.setNormEps(config.normEps());
      b.setMlp(config.architecture().mlp);
      b.setBias(config.architecture().bias);
      b.setQkvBias(config.architecture().qkvBias);
      b.setQkNorm(config.architecture().qkNorm);
      b.setHeadDim(config.headSize());
      b.setRopeTheta(config.ropeTheta());
      b.useRopeScaling(config.ropeScaling());
      b.setWindow(config.window());
      b.setDropout(config.dropout());
      b.setInitStd(config.initStd());
      b.setResidualStd(residualStd);
      g.addLayer(block(i), b, previous);
      previous = block(i);
    }

    LmHeadConfig head = new LmHeadConfig();
    head.setDModel(config.dModel());
    head.setVocabSize(config.vocabSize());
    head.setNorm(config.architecture().norm);
    head.setNormEps(config.normEps());
    head.setInitStd(config.initStd());
    head.setLayerName(HEAD);
    if (config.tiedEmbeddings()) {
      head.setTiedTo(EMBED);
      g.addVertex(HEAD, new TiedHeadVertex(global.clone().layer(head).build()), previous);
    } else {
      g.addVertex(HEAD, new LayerVertex(global.clone().layer(head).build(), null), previous);
    }
    return g.setOutputs(HEAD).build();
  }
}
