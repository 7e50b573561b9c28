package dev.llmj.core.train;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures a graph's layers for AdamW: ND4J's Adam with the learning-rate schedule, plus DL4J's
 * {@link WeightDecay} with {@code applyLR=true} (as {@link DecoupledWeightDecay}, which adds nothing to the loss). DL4J applies WeightDecay after the Adam update
 * ({@code ApplyStep.POST_UPDATER} in {@code UpdaterBlock}), adding {@code lr * wd * p} to the update
 * that is then subtracted from the parameters, so the decay is decoupled from the moments (Loshchilov and
 * Hutter), the same as {@code torch.optim.AdamW}: {@code p -= lr * (adam(g) + wd * p)}.
 */
final class AdamW {

  private static final Logger log = LoggerFactory.getLogger(AdamW.class);

  private AdamW() {}

  /** Sets updater and regularization on every layer with parameters and builds a fresh updater. */
  static void configure(ComputationGraph graph, TrainConfig cfg, ISchedule lr, DecayPolicy policy) {
    Adam adam = Adam.builder().learningRateSchedule(lr).beta1(cfg.beta1()).beta2(cfg.beta2())
        .epsilon(cfg.eps()).build();
    long decayed = 0;
    long notDecayed = 0;
    for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
      if (layer.numParams() == 0) {
        continue;
      }
      Layer conf = layer.conf().getLayer();
      String name = conf.getLayerName();
      List<Regularization> weights = decay(cfg, policy.decayWeights(name, conf));
      List<Regularization> biases = decay(cfg, policy.decayBiases(name, conf));
      if (conf instanceof BaseLayer b) {
        b.setIUpdater(adam);
        b.setBiasUpdater(adam);
        b.setRegularization(weights);
        b.setRegularizationBias(biases);
      } else if (conf instanceof AbstractSameDiffLayer s) {
        s.setUpdater(adam);
        s.setBiasUpdater(adam);
        s.setRegularization(weights);
        s.setRegularizationBias(biases);
      } else {
        throw new UnsupportedOperationException("Layer '" + name + "' (" + conf.getClass().getName()
            + ") has parameters but is neither a BaseLayer nor an AbstractSameDiffLayer; the trainer cannot"
            + " set its updater");
      }
      for (var e : layer.paramTable().entrySet()) {
        List<Regularization> r = conf.getRegularizationByParam(e.getKey());
        if (r != null && !r.isEmpty()) {
          decayed += e.getValue().length();
        } else {
          notDecayed += e.getValue().length();
        }
      }
    }
    graph.setUpdater(new ComputationGraphUpdater(graph));
    log.info("AdamW: {} parameters decayed (weight_decay={}), {} not decayed", decayed, cfg.weightDecay(),
        notDecayed);
  }

  private static List<Regularization> decay(TrainConfig cfg, boolean on) {
    List<Regularization> list = new ArrayList<>();
    if (on && cfg.weightDecay() > 0) {
      list.add(new DecoupledWeightDecay(new org.nd4j.linalg.schedule.FixedSchedule(cfg.weightDecay()), true));
    }
    return list;
  }
}
