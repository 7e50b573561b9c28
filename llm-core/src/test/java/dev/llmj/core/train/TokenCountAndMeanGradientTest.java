package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

/** Default token counts per label layout, and training of graphs whose layers give mean-loss gradients. */
class TokenCountAndMeanGradientTest {

  private static final long SEED = Long.getLong("tests.seed", 31L);

  @Test
  void tokenCountsFollowTheLabelLayout() {
    INDArray ids = Nd4j.createFromArray(new int[][] {{1, 2, 3, -1}, {4, 5, -1, -1}}); // (B=2, T=4) INT32
    DataSet packed = new DataSet(ids, ids);
    assertEquals(5, StepEngine.defaultTokens(packed), "integer (B, T) ids, -1 ignored");
    DataSet floatIds = new DataSet(ids.castTo(DataType.FLOAT), ids.castTo(DataType.FLOAT));
    assertEquals(5, StepEngine.idTokens(floatIds), "packing counts float ids too");
    assertEquals(2, StepEngine.defaultTokens(new DataSet(ids, Nd4j.zeros(DataType.FLOAT, 2, 11))), "(B, V) one-hot");
    assertEquals(2 * 7, StepEngine.defaultTokens(new DataSet(ids, Nd4j.zeros(DataType.FLOAT, 2, 11, 7))), "(B, V, T)");
    PositionedIterator counting = PositionedIterator.counting(new ViewIterator(packed, 2));
    assertEquals(5, counting.tokens(packed));
    System.out.println("tokens: int ids 5 of 8 (three -1), float ids 5, one-hot 2, (B, V, T) 14");
  }

  /**
   * Transformer layers return gradients of the mean loss; two accumulated micro-batches of 2 must then
   * give the step one batch of 4 gives (up to float rounding of the summation order).
   */
  @Test
  void accumulatingMeanGradientsEqualsOneLargeBatch() throws Exception {
    ModelConfig config = ModelConfig.of(Architecture.LLAMA, 17, 8, 1, 2, 8);
    Random r = new Random(SEED);
    int[][] seqs = new int[8][9];
    for (int[] s : seqs) {
      for (int i = 0; i < s.length; i++) {
        s[i] = r.nextInt(17);
      }
    }
    int[][] in = new int[8][];
    int[][] next = new int[8][];
    for (int b = 0; b < 8; b++) {
      in[b] = java.util.Arrays.copyOf(seqs[b], 8);
      next[b] = java.util.Arrays.copyOfRange(seqs[b], 1, 9);
    }
    DataSet all = new DataSet(Nd4j.createFromArray(in), Nd4j.createFromArray(next)); // (8, T) ids
    assertTrue(StepEngine.meanGradients(LanguageModel.create(config, SEED).graph()));
    LanguageModel accumulated = LanguageModel.create(config, SEED);
    LanguageModel large = LanguageModel.create(config, SEED);
    List<String> common = List.of("max_steps=2", "lr=0.01", "warmup_steps=0", "seq_len=8", "clip=0.5",
        "progress=never", "seed=" + SEED);
    TrainResult a = accumulated.trainer(TrainConfig.defaults().withOverrides(concat(common, "micro_batch=2",
        "grad_accum=2"))).train(new ViewIterator(all, 2)).build().run();
    TrainResult b = large.trainer(TrainConfig.defaults().withOverrides(concat(common, "micro_batch=4")))
        .train(new ViewIterator(all, 4)).build().run();
    float[] x = accumulated.graph().params().toFloatVector();
    float[] y = large.graph().params().toFloatVector();
    float[] start = LanguageModel.create(config, SEED).graph().params().toFloatVector();
    double worst = 0;
    double moved = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i] - y[i]));
      moved = Math.max(moved, Math.abs(y[i] - start[i]));
    }
    System.out.printf("2x2 accumulated vs 4 at once after 2 steps: worst parameter difference %.3g (largest"
        + " update %.3g); losses %.6f vs %.6f; tokens %d vs %d%n", worst, moved, a.lastLoss(), b.lastLoss(), a.tokens(),
        b.tokens());
    assertEquals(2L * 4 * 8, a.tokens());
    assertEquals(a.tokens(), b.tokens());
    assertEquals(b.lastLoss(), a.lastLoss(), 1e-5);
    assertTrue(moved > 1e-3, "the steps changed the parameters");
    assertTrue(worst < 1e-5, "accumulated and large-batch steps agree: " + worst);
  }

  @Test
  void mixingGradientConventionsIsRefused() {
    ComputationGraph bn = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(SEED).graphBuilder()
        .addInputs("in")
        .addLayer("bn", new BatchNormalization.Builder().nIn(4).nOut(4).build(), "in")
        .addLayer("out", new OutputLayer.Builder().nIn(4).nOut(3).build(), "bn")
        .setOutputs("out").build());
    bn.init();
    String m = assertThrows(UnsupportedOperationException.class, () -> StepEngine.meanGradients(bn)).getMessage();
    System.out.println("rejected: " + m);
    assertTrue(m.contains("bn/mean") && m.contains("layer normalisation"), m);
    assertFalse(StepEngine.meanGradients(ToyModels.nextToken(SEED, DataType.FLOAT, 0)));
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }
}
