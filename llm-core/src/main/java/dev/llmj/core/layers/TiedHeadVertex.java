package dev.llmj.core.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The graph vertex of an {@link LmHeadConfig} whose projection is tied to the token embedding.
 *
 * <p>Why a vertex: DL4J gives every parameter to exactly one layer, and a layer never sees the
 * graph, so two layers cannot share a parameter through configuration alone. A vertex is created
 * with the graph in hand, so this one hands the graph to its head, which then reads the
 * embedding's {@code wte} view for the logits and writes its share of {@code dL/dwte} into the
 * embedding's gradient view. The table stays ONE parameter of the embedding layer: one entry in
 * the flat parameter vector, one updater state, counted once. Backprop runs the head before the
 * embedding, so the head assigns its share and the embedding adds the scatter of its own.
 *
 * <p>Being a vertex of the configuration, the tie survives JSON, cloning and
 * {@code ModelSerializer} round trips: every newly built graph binds again.
 */
public class TiedHeadVertex extends LayerVertex {

  public TiedHeadVertex() {}

  public TiedHeadVertex(NeuralNetConfiguration layerConf) {
    super(layerConf, null);
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
      INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
    org.deeplearning4j.nn.graph.vertex.GraphVertex vertex =
        super.instantiate(graph, name, idx, paramsView, initializeParams, networkDatatype);
    if (!(vertex.getLayer() instanceof LmHeadLayer head)) {
      throw new IllegalArgumentException("vertex " + name + " must hold an LmHeadConfig, got "
          + vertex.getLayer().getClass().getName());
    }
    head.bindGraph(graph);
    return vertex;
  }

  @Override
  public GraphVertex clone() {
    return new TiedHeadVertex(getLayerConf().clone());
  }
}
