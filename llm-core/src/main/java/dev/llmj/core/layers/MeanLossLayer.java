package dev.llmj.core.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the three transformer layer implementations share: feed-forward, never pre-trained, and their
 * parameter gradients are already of the mean per-token loss, so DL4J's updater must not divide them by
 * the batch size again (the trainer reads this through {@code updaterDivideByMinibatch}).
 */
abstract class MeanLossLayer<C extends org.deeplearning4j.nn.conf.layers.BaseLayer> extends BaseLayer<C> {

  MeanLossLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public boolean updaterDivideByMinibatch(String paramName) {
    return false;
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public void clearNoiseWeightParams() {}

  @Override
  public Type type() {
    return Type.FEED_FORWARD;
  }
}
