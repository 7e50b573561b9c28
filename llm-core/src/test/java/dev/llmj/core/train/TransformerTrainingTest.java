package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.model.Transformers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The trainer on llmj's own transformer layers, whose gradients are of the per-token mean loss (the
 * updater must not divide them again): accumulation equals one concatenated batch, and the reported
 * gradient norm is the norm of the mean-loss gradient computed directly.
 */
class TransformerTrainingTest {

  private static final long SEED = Long.getLong("tests.seed", 977L);
  private static final ModelConfig CONFIG = ModelConfig.of(Architecture.GPT2, 23, 8, 2, 2, 12);

  private static DataSet batch(SplittableRandom r, int b, int t) {
    INDArray f = Nd4j.create(DataType.INT32, b, t);
    INDArray l = Nd4j.create(DataType.INT32, b, t);
    for (int i = 0; i < b; i++) {
      int prev = r.nextInt(CONFIG.vocabSize());
      for (int j = 0; j < t; j++) {
        int next = r.nextDouble() < 0.7 ? (prev * 5 + 3) % CONFIG.vocabSize() : r.nextInt(CONFIG.vocabSize());
        f.putScalar(i, j, prev);
        l.putScalar(i, j, next);
        prev = next;
      }
    }
    return new DataSet(f, l);
  }

  private static TrainConfig config(String... overrides) {
    List<String> o = new ArrayList<>(List.of("warmup_steps=0", "decay=constant", "eval_every=0", "progress=never",
        "threads=1", "seq_len=7", "lr=0.01", "min_lr=0", "weight_decay=0.1"));
    o.addAll(List.of(overrides));
    return TrainConfig.defaults().withOverrides(o);
  }

  @Test
  void accumulationEqualsConcatenatedBatchAndNormIsMeanGradientNorm() throws Exception {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    int micro = 2;
    int accum = 3;
    int steps = 3;
    SplittableRandom r = new SplittableRandom(SEED);
    List<DataSet> parts = new ArrayList<>();
    List<DataSet> merged = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      List<DataSet> step = new ArrayList<>();
      for (int i = 0; i < accum; i++) {
        step.add(batch(r, micro, 7));
      }
      parts.addAll(step);
      merged.add(DataSet.merge(step));
    }
    ComputationGraph a = Transformers.build(CONFIG, SEED, DataType.DOUBLE, new Adam());
    ComputationGraph b = a.clone();
    ComputationGraph reference = a.clone();

    // The gradient of the mean loss over the first concatenated batch, straight from the graph.
    reference.setInputs(merged.get(0).getFeatures());
    reference.setLabels(merged.get(0).getLabels());
    reference.computeGradientAndScore();
    double expectedNorm = reference.getFlattenedGradients().norm2Number().doubleValue();

    TrainResult ra = Trainer.builder(a, config("max_steps=" + steps, "clip=0.5", "micro_batch=" + micro,
            "grad_accum=" + accum))
        .train(new ExistingDataSetIterator(parts)).build().run();
    Trainer tb = Trainer.builder(b, config("max_steps=" + steps, "clip=0.5", "micro_batch=" + micro * accum,
            "grad_accum=1"))
        .train(new ExistingDataSetIterator(merged)).build();
    TrainResult rb = tb.run();

    double params = a.params().sub(b.params()).amaxNumber().doubleValue();
    System.out.printf("accumulation vs concatenated batch on a transformer: params %.3e, loss %.3e%n", params,
        Math.abs(ra.lastLoss() - rb.lastLoss()));
    assertTrue(params < 1e-12, "params differ by " + params);
    assertEquals(rb.lastLoss(), ra.lastLoss(), 1e-12);

    // A fresh one-step run reports the norm of the mean-loss gradient (before clipping).
    ComputationGraph c = reference.clone();
    java.nio.file.Path metrics = java.nio.file.Files.createTempFile("metrics", ".jsonl");
    Trainer.builder(c, config("max_steps=1", "clip=0", "micro_batch=" + micro * accum, "grad_accum=1"))
        .train(new ExistingDataSetIterator(merged.subList(0, 1)))
        .metrics(metrics).build().run();
    String line = java.nio.file.Files.readAllLines(metrics).get(0);
    double reported = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("grad_norm").asDouble();
    System.out.printf("grad_norm reported %.12f, direct %.12f%n", reported, expectedNorm);
    assertEquals(expectedNorm, reported, 1e-9 * expectedNorm);
  }
}
