package dev.llmj.core.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter layout and initialisation for every layer of this package, driven by the layer's
 * {@link ParamSpec} list. Views are c-order so that a weight (in, out) is exactly the matrix the
 * forward pass multiplies by, and gradient views can be the output of a gemm without a copy.
 *
 * <p>Initialisation follows GPT-2: normal(0, std) for matrices with the std the spec carries, zero
 * biases, unit norm gains. Each tensor draws from its own generator seeded by the network seed, the
 * layer name and the parameter key, so the same seed gives the same parameters whatever the order
 * of initialisation and whatever else used the global ND4J generator.
 */
final class ParamLayout implements ParamInitializer {

  static final ParamLayout INSTANCE = new ParamLayout();

  private ParamLayout() {}

  private static List<ParamSpec> specs(Layer layer) {
    return ((TransformerLayer) layer).paramSpecs();
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    return specs(layer).stream().mapToLong(ParamSpec::length).sum();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    return specs(layer).stream().map(ParamSpec::key).toList();
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return specs(layer).stream().filter(s -> s.kind() == ParamSpec.Kind.MATRIX).map(ParamSpec::key).toList();
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return specs(layer).stream().filter(s -> s.kind() != ParamSpec.Kind.MATRIX).map(ParamSpec::key).toList();
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return weightKeys(layer).contains(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return biasKeys(layer).contains(key);
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    Map<String, INDArray> views = carve(conf.getLayer(), paramsView);
    if (initializeParams) {
      for (ParamSpec spec : specs(conf.getLayer())) {
        INDArray view = views.get(spec.key());
        switch (spec.kind()) {
          case BIAS -> view.assign(0);
          case GAIN -> view.assign(1);
          case MATRIX -> {
            long seed = conf.getSeed() * 31 + (conf.getLayer().getLayerName() + "/" + spec.key()).hashCode();
            try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
              view.assign(Nd4j.randn(0, spec.std(), spec.shape(), rng).castTo(view.dataType()));
            } catch (Exception e) {
              throw new IllegalStateException("initialising " + spec.key() + " of " + conf.getLayer().getLayerName(), e);
            }
          }
        }
      }
    }
    return views;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return carve(conf.getLayer(), gradientView);
  }

  private static Map<String, INDArray> carve(Layer layer, INDArray flat) {
    INDArray row = flat.reshape(flat.length());
    Map<String, INDArray> views = new LinkedHashMap<>();
    long offset = 0;
    for (ParamSpec spec : specs(layer)) {
      INDArray view = row.get(NDArrayIndex.interval(offset, offset + spec.length())).reshape('c', spec.shape());
      views.put(spec.key(), view);
      offset += spec.length();
    }
    if (offset != flat.length()) {
      throw new IllegalArgumentException("layer " + layer.getLayerName() + " expects " + offset
          + " parameters, got a view of " + flat.length());
    }
    return views;
  }

  /** Keys in layout order; used by tests and by the Hugging Face mapping. */
  static List<String> keys(TransformerLayer layer) {
    return new ArrayList<>(INSTANCE.paramKeys(layer));
  }
}
