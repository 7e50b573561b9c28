package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.layers.LmHeadConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.model.Transformers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The memory options against the plain path: the LM head's loss in row chunks against the whole
 * (B*T, V) logits, activation recomputation against stored intermediates (bitwise), and the optimizer
 * state allocated once for the whole run.
 */
class MemoryOptionsTest {

  private static final long SEED = Long.getLong("tests.seed", 4242L);
  /**
   * Worst relative difference of loss, score or a gradient tensor with chunked float logits: measured 1.4e-7 to
   * 2.1e-7 over seeds 1, 2, 3 and 4242 (the tied table's gradient summed in another order); about 5x.
   */
  static final double FLOAT_BOUND = 1e-6;
  /** The same in double: measured 3.8e-16 to 6.0e-16 over those seeds; about 16x. */
  static final double DOUBLE_BOUND = 1e-14;

  /** Llama with grouped-query attention and tied output; GPT-2 untied with dropout. */
  private static List<ModelConfig> models() {
    ModelConfig llama = ModelConfig.of(Architecture.LLAMA, 37, 8, 2, 4, 16).withKvHeads(2).withTiedEmbeddings(true);
    ModelConfig gpt = ModelConfig.of(Architecture.GPT2, 41, 8, 2, 2, 12).withTiedEmbeddings(false).withDropout(0.2);
    return List.of(llama, gpt);
  }

  private static DataSet batch(SplittableRandom r, int b, int t, int vocab) {
    INDArray f = Nd4j.create(DataType.INT32, b, t);
    INDArray l = Nd4j.create(DataType.INT32, b, t);
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        f.putScalar(i, j, r.nextInt(vocab));
        l.putScalar(i, j, (i + j) % 5 == 4 ? -1 : r.nextInt(vocab)); // some positions ignored
      }
    }
    return new DataSet(f, l);
  }

  /** Loss and every gradient of one forward/backward, dropout drawn from {@code seed}. */
  private static Map<String, INDArray> gradients(ComputationGraph g, DataSet ds, long seed, double[] loss) {
    Nd4j.getRandom().setSeed(seed);
    g.setInputs(ds.getFeatures());
    g.setLabels(ds.getLabels());
    g.computeGradientAndScore();
    loss[0] = g.score();
    Map<String, INDArray> out = new TreeMap<>();
    g.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.dup()));
    g.clearLayersStates();
    return out;
  }

  private static LmHeadConfig head(ComputationGraph g) {
    return (LmHeadConfig) g.getLayer(Transformers.HEAD).conf().getLayer();
  }

  @Test
  void chunkedLossEqualsWholeLogits() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    SplittableRandom r = new SplittableRandom(SEED);
    double worstFloat = 0, worstDouble = 0;
    for (ModelConfig model : models()) {
      DataSet ds = batch(r, 3, 7, model.vocabSize()); // N = 21 rows
      for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        ComputationGraph g = Transformers.build(model, SEED, type, new NoOp());
        head(g).setChunkRows(21);
        double[] wholeLoss = new double[1];
        Map<String, INDArray> whole = gradients(g, ds, SEED, wholeLoss);
        double wholeScore = g.score(ds);
        for (int rows : new int[] {1, 4, 8, 20}) {
          head(g).setChunkRows(rows);
          double[] loss = new double[1];
          Map<String, INDArray> chunked = gradients(g, ds, SEED, loss);
          String where = model.architecture() + " " + type + " chunk of " + rows + " rows";
          double worst = Math.abs(loss[0] - wholeLoss[0]) / wholeLoss[0];
          worst = Math.max(worst, Math.abs(g.score(ds) - wholeScore) / wholeScore);
          for (Map.Entry<String, INDArray> e : whole.entrySet()) {
            INDArray ref = e.getValue().castTo(DataType.DOUBLE);
            double diff = chunked.get(e.getKey()).castTo(DataType.DOUBLE).sub(ref).amaxNumber().doubleValue();
            worst = Math.max(worst, diff / Math.max(1e-30, ref.amaxNumber().doubleValue()));
          }
          double bound = type == DataType.FLOAT ? FLOAT_BOUND : DOUBLE_BOUND;
          double w = worst;
          assertTrue(worst <= bound, () -> where + ": differs by " + w + " (bound " + bound + ", seed " + SEED + ")");
          if (type == DataType.FLOAT) {
            worstFloat = Math.max(worstFloat, worst);
          } else {
            worstDouble = Math.max(worstDouble, worst);
          }
        }
      }
    }
    System.out.printf("chunked vs whole logits, worst relative difference of loss, score and gradients: float %.2e"
        + " (bound %.1e), double %.2e (bound %.1e)%n", worstFloat, FLOAT_BOUND, worstDouble, DOUBLE_BOUND);
  }

  /** Every block option recomputed: also q/k norms with a head size other than C/H, q/k/v biases, a window. */
  @Test
  void recomputationGivesBitwiseEqualGradients() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    SplittableRandom r = new SplittableRandom(SEED);
    List<ModelConfig> all = new ArrayList<>(models());
    all.add(ModelConfig.of(Architecture.QWEN3, 37, 8, 2, 4, 16).withKvHeads(2).withHeadSize(6));
    all.add(ModelConfig.of(Architecture.QWEN2, 37, 8, 2, 4, 16).withKvHeads(1));
    all.add(ModelConfig.of(Architecture.MISTRAL, 37, 8, 2, 2, 16).withWindow(3));
    for (ModelConfig model : all) {
      DataSet ds = batch(r, 2, 8, model.vocabSize());
      ComputationGraph g = Transformers.build(model, SEED, DataType.FLOAT, new NoOp());
      double[] storedLoss = new double[1], recomputedLoss = new double[1];
      Map<String, INDArray> stored = gradients(g, ds, SEED + 1, storedLoss);
      assertEquals(model.nLayers(), dev.llmj.core.layers.DecoderBlockConfig.setRecompute(g, true));
      Map<String, INDArray> recomputed = gradients(g, ds, SEED + 1, recomputedLoss);
      assertEquals(storedLoss[0], recomputedLoss[0], 0, model.architecture() + " loss");
      for (Map.Entry<String, INDArray> e : stored.entrySet()) {
        assertArrayEquals(e.getValue().data().asFloat(), recomputed.get(e.getKey()).data().asFloat(),
            model.architecture() + " " + e.getKey() + " (seed " + SEED + ")");
      }
      System.out.println(model.architecture() + " (dropout " + model.dropout() + "): " + stored.size()
          + " gradient tensors bitwise equal with recomputation");
    }
  }

  /**
   * Three trainer steps with {@code recompute=true} land on the parameters of three without, bitwise;
   * and the optimizer's state is one array, allocated before the first step and updated in place.
   */
  @Test
  void trainerWithRecomputationMatchesAndKeepsOneOptimizerState() throws Exception {
    ModelConfig model = models().get(1);
    SplittableRandom r = new SplittableRandom(SEED);
    List<DataSet> batches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batches.add(batch(r, 2, 8, model.vocabSize()));
    }
    ComputationGraph plain = Transformers.build(model, SEED, DataType.FLOAT, new NoOp());
    ComputationGraph recomputed = plain.clone();
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("warmup_steps=0", "eval_every=0",
        "progress=never", "threads=1", "seq_len=8", "micro_batch=2", "max_steps=3", "lr=0.01", "min_lr=0"));
    Trainer.builder(plain, cfg).train(new ExistingDataSetIterator(batches)).build().run();

    Trainer trainer = Trainer.builder(recomputed, cfg.withRecompute(true))
        .train(new ExistingDataSetIterator(batches)).build();
    INDArray state = recomputed.getUpdater().getStateViewArray();
    long address = state.data().address();
    INDArray before = state.dup();
    trainer.run();
    assertSame(state, recomputed.getUpdater().getStateViewArray(), "the updater's state array was replaced");
    assertEquals(address, recomputed.getUpdater().getStateViewArray().data().address(), "state reallocated");
    assertTrue(before.neq(state).any(), "three steps left the Adam moments unchanged");
    assertArrayEquals(plain.params().data().asFloat(), recomputed.params().data().asFloat(),
        "parameters after 3 steps, recompute on and off (seed " + SEED + ")");
  }
}
