package dev.llmj.core.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;

/**
 * Configuration shared by the layers of this package. Activations between layers are (B, T, C)
 * c-order arrays, described to DL4J as recurrent input in NWC format; since (B, T, C) c-order is
 * the same memory as (B*T, C), every projection is one plain 2-D gemm on a reshaped view.
 *
 * <p>Subclasses are plain Jackson beans (no-argument constructor, getters and setters) because
 * DL4J writes them into the network's JSON configuration.
 */
public abstract class TransformerLayer extends BaseLayer {

  private int dModel;
  private double initStd = 0.02;

  protected TransformerLayer() {}

  /** The parameters of this layer in layout order. */
  abstract List<ParamSpec> paramSpecs();

  /** Checks the settings; called when the layer is instantiated. */
  abstract void validate();

  public int getDModel() {
    return dModel;
  }

  public void setDModel(int dModel) {
    this.dModel = dModel;
  }

  public double getInitStd() {
    return initStd;
  }

  public void setInitStd(double initStd) {
    this.initStd = initStd;
  }

  /** Wires a new implementation to its parameter view, as DL4J's own layers do. */
  <L extends org.deeplearning4j.nn.layers.BaseLayer<?>> L wire(L layer, NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners, int index, INDArray view, boolean initialize) {
    validate();
    layer.setListeners(listeners);
    layer.setIndex(index);
    layer.setParamsViewArray(view);
    Map<String, INDArray> params = initializer().init(conf, view, initialize);
    layer.setParamTable(params);
    layer.setConf(conf);
    return layer;
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  @Override
  public ParamInitializer initializer() {
    return ParamLayout.INSTANCE;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(dModel, RNNFormat.NWC);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // Sizes come from the model configuration, never inferred.
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    long params = ParamLayout.INSTANCE.numParams(this);
    return new LayerMemoryReport.Builder(getLayerName(), getClass(), inputType, getOutputType(-1, inputType))
        .standardMemory(params, params)
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0)
        .build();
  }
}
