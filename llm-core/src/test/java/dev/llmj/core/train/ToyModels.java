package dev.llmj.core.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A tiny next-token model: token id -> embedding (V, 8) -> dense tanh (8, 16) -> softmax (16, V). */
final class ToyModels {

  static final int VOCAB = 11;

  private ToyModels() {}

  static ComputationGraph nextToken(long seed, DataType dtype, double dropout) {
    NeuralNetConfiguration.Builder nb = new NeuralNetConfiguration.Builder().seed(seed).dataType(dtype)
        .weightInit(WeightInit.XAVIER).updater(new Sgd(0.1));
    ComputationGraphConfiguration conf = nb.graphBuilder()
        .addInputs("in")
        .addLayer("emb", new EmbeddingLayer.Builder().nIn(VOCAB).nOut(8).build(), "in")
        .addLayer("dense", new DenseLayer.Builder().nIn(8).nOut(16).activation(Activation.TANH)
            .dropOut(dropout > 0 ? 1 - dropout : 0).biasInit(0.1).build(), "emb")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(VOCAB)
            .activation(Activation.SOFTMAX).biasInit(0.05).build(), "dense")
        .setOutputs("out")
        .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }
}
