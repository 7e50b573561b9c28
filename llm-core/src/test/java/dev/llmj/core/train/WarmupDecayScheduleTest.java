package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;

class WarmupDecayScheduleTest {

  private static final double TOL = 1e-15;

  @Test
  void cosineValuesAtKeySteps() {
    ISchedule s = new WarmupDecaySchedule(1e-3, 1e-4, 10, 110, "cosine");
    assertEquals(1e-4, s.valueAt(0, 0), TOL);          // 1/10 of the peak on the first update
    assertEquals(5e-4, s.valueAt(4, 0), TOL);
    assertEquals(1e-3, s.valueAt(9, 0), TOL);          // end of warm-up
    assertEquals(1e-3, s.valueAt(10, 0), TOL);         // decay starts at the peak
    assertEquals(5.5e-4, s.valueAt(60, 0), TOL);       // half way: (max + min) / 2
    double quarter = 1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.25)) * 9e-4;
    assertEquals(quarter, s.valueAt(35, 0), TOL);
    assertEquals(1e-4, s.valueAt(110, 0), TOL);
    assertEquals(1e-4, s.valueAt(5000, 3), TOL);       // floor after the budget
  }

  @Test
  void linearAndConstantShapes() {
    ISchedule lin = new WarmupDecaySchedule(1.0, 0.0, 0, 100, "linear");
    assertEquals(1.0, lin.valueAt(0, 0), TOL);
    assertEquals(0.75, lin.valueAt(25, 0), TOL);
    assertEquals(0.0, lin.valueAt(100, 0), TOL);
    ISchedule flat = new WarmupDecaySchedule(2.0, 0.5, 4, 100, "constant");
    assertEquals(1.0, flat.valueAt(1, 0), TOL);
    assertEquals(2.0, flat.valueAt(99, 0), TOL);
    assertEquals(2.0, flat.valueAt(1000, 0), TOL);
  }

  /** The schedule and weight decay survive DL4J's configuration JSON, where RampSchedule does not. */
  @Test
  void roundTripsThroughComputationGraphJson() {
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("warmup_steps=10", "max_steps=110",
        "lr=1e-3", "min_lr=1e-4"));
    ComputationGraph graph = ToyModels.nextToken(1, DataType.FLOAT, 0);
    WarmupDecaySchedule schedule = WarmupDecaySchedule.of(cfg);
    AdamW.configure(graph, cfg, schedule, DecayPolicy.DEFAULT);
    String json = graph.getConfiguration().toJson();
    ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
    BaseLayer dense = (BaseLayer) ((LayerVertex) back.getVertices().get("dense")).getLayerConf().getLayer();
    Adam adam = (Adam) dense.getIUpdater();
    assertTrue(adam.getLearningRateSchedule() instanceof WarmupDecaySchedule, json);
    assertEquals(schedule, adam.getLearningRateSchedule());
    double worst = 0;
    for (int i : new int[] {0, 4, 9, 10, 35, 60, 109, 110, 1000}) {
      worst = Math.max(worst, Math.abs(schedule.valueAt(i, 0) - adam.getLearningRate(i, 0)));
    }
    System.out.println("schedule JSON round trip worst difference " + worst);
    assertEquals(0.0, worst);
    assertEquals(0.95, adam.getBeta2());
    assertEquals(List.of(new WeightDecay(0.1, true)), dense.getRegularization());
    assertTrue(dense.getRegularizationBias().isEmpty());
    BaseLayer emb = (BaseLayer) ((LayerVertex) back.getVertices().get("emb")).getLayerConf().getLayer();
    assertTrue(emb.getRegularization().isEmpty(), "embeddings are not decayed by default");
  }
}
