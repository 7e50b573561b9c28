package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** One optimizer step against hand-computed AdamW, global-norm clipping and accumulation references. */
class OptimizerStepTest {

  private static final long SEED = Long.getLong("tests.seed", 20240601L);
  private static DataType savedDefault;

  @BeforeAll
  static void doublePrecision() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    savedDefault = Nd4j.dataType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterAll
  static void restore() {
    Nd4j.setDefaultDataTypes(savedDefault, savedDefault);
  }

  private static TrainConfig config(String... overrides) {
    List<String> o = new ArrayList<>(List.of("warmup_steps=0", "decay=constant", "eval_every=0",
        "progress=never", "threads=1", "seq_len=1", "beta1=0.9", "beta2=0.95", "eps=1e-8"));
    o.addAll(List.of(overrides));
    return TrainConfig.defaults().withOverrides(o);
  }

  /** Gradient of the mean loss over {@code ds}, per parameter, from an untouched copy of the graph. */
  private static Map<String, INDArray> meanGradient(ComputationGraph graph, DataSet ds) {
    ComputationGraph copy = graph.clone();
    copy.setInputs(ds.getFeatures());
    copy.setLabels(ds.getLabels());
    copy.computeGradientAndScore();
    Map<String, INDArray> out = new java.util.LinkedHashMap<>();
    copy.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.div(ds.numExamples())));
    return out;
  }

  @Test
  void firstStepMatchesHandComputedAdamW() throws Exception {
    double lr = 0.01;
    double wd = 0.1;
    TrainConfig cfg = config("lr=" + lr, "min_lr=0", "weight_decay=" + wd, "clip=0", "max_steps=1",
        "micro_batch=6");
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.DOUBLE, 0);
    Map<String, INDArray> before = new java.util.LinkedHashMap<>();
    graph.paramTable().forEach((k, v) -> before.put(k, v.dup()));
    Map<String, INDArray> g = meanGradient(graph, ToyData.batch(SEED, 0, 6, DataType.DOUBLE));

    Trainer.builder(graph, cfg).train(new ToyData(SEED, 6, 4, DataType.DOUBLE)).build().run();

    double b1 = cfg.beta1();
    double b2 = cfg.beta2();
    double alpha = lr * Math.sqrt(1 - b2) / (1 - b1); // ND4J folds bias correction into the step size
    for (String name : before.keySet()) {
      boolean decays = name.equals("dense_W") || name.equals("out_W");
      INDArray m = g.get(name).mul(1 - b1);
      INDArray v = g.get(name).mul(g.get(name)).mul(1 - b2);
      INDArray update = m.mul(alpha).div(Transforms.sqrt(v).add(cfg.eps()));
      INDArray expected = before.get(name).sub(update);
      if (decays) {
        expected.subi(before.get(name).mul(lr * wd)); // decoupled: p -= lr * wd * p, not wd*p in the gradient
      }
      double worst = expected.sub(graph.getParam(name)).amaxNumber().doubleValue();
      double decayEffect = before.get(name).mul(lr * wd).amaxNumber().doubleValue();
      System.out.printf("%-8s decayed=%-5s worst |diff| %.3e (decay term up to %.3e)%n", name, decays, worst,
          decayEffect);
      assertTrue(worst < 1e-12, name + " differs by " + worst);
      if (!name.endsWith("_b")) {
        assertTrue(decayEffect > 1e-6, "test must be able to tell decay from none for " + name);
      }
    }
  }

  @Test
  void clipsByGlobalNormAndReportsUnclippedNorm(@TempDir Path dir) throws Exception {
    double clip = 0.05;
    TrainConfig cfg = config("lr=0.01", "min_lr=0", "weight_decay=0", "clip=" + clip, "max_steps=1",
        "micro_batch=6");
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.DOUBLE, 0);
    Map<String, INDArray> g = meanGradient(graph, ToyData.batch(SEED, 0, 6, DataType.DOUBLE));
    double norm = 0;
    for (INDArray a : g.values()) {
      norm += a.mul(a).sumNumber().doubleValue();
    }
    norm = Math.sqrt(norm);
    assertTrue(norm > clip, "gradient norm " + norm + " must exceed the clip for this test");

    Path metrics = dir.resolve("metrics.jsonl");
    Trainer.builder(graph, cfg).train(new ToyData(SEED, 6, 4, DataType.DOUBLE)).metrics(metrics).build().run();

    JsonNode line = new ObjectMapper().readTree(Files.readAllLines(metrics).get(0));
    System.out.printf("global norm %.12f, reported %.12f%n", norm, line.get("grad_norm").asDouble());
    assertEquals(norm, line.get("grad_norm").asDouble(), 1e-12 * norm);
    // Adam's first moment after one step is (1 - beta1) * clipped gradient: read it back from the state.
    assertEquals(1, graph.getUpdater().getUpdaterBlocks().size());
    INDArray state = graph.getUpdater().getStateViewArray();
    long p = graph.numParams();
    assertEquals(2 * p, state.length());
    INDArray m = state.reshape(state.length()).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, p));
    ComputationGraph copy = ToyModels.nextToken(SEED, DataType.DOUBLE, 0);
    DataSet ds = ToyData.batch(SEED, 0, 6, DataType.DOUBLE);
    copy.setInputs(ds.getFeatures());
    copy.setLabels(ds.getLabels());
    copy.computeGradientAndScore();
    INDArray flat = copy.getFlattenedGradients().reshape(p).div(6); // same flattening order as the state
    INDArray expected = flat.mul((1 - cfg.beta1()) * clip / norm);
    double worst = expected.sub(m).amaxNumber().doubleValue();
    System.out.printf("clipped first moment worst |diff| %.3e%n", worst);
    assertTrue(worst < 1e-13, "first moment differs by " + worst);
  }

  @Test
  void accumulatedMicroBatchesEqualOneConcatenatedBatch() throws Exception {
    int micro = 4;
    int accum = 3;
    int steps = 4;
    ComputationGraph a = ToyModels.nextToken(SEED, DataType.DOUBLE, 0);
    ComputationGraph b = a.clone();
    List<DataSet> merged = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      List<DataSet> parts = new ArrayList<>();
      for (int i = 0; i < accum; i++) {
        parts.add(ToyData.batch(SEED, s * accum + i, micro, DataType.DOUBLE));
      }
      merged.add(DataSet.merge(parts));
    }
    String common = "max_steps=" + steps;
    TrainResult ra = Trainer.builder(a, config(common, "lr=0.01", "min_lr=0", "clip=0.3", "micro_batch=" + micro,
        "grad_accum=" + accum)).train(new ToyData(SEED, micro, steps * accum, DataType.DOUBLE)).build().run();
    TrainResult rb = Trainer.builder(b, config(common, "lr=0.01", "min_lr=0", "clip=0.3",
        "micro_batch=" + micro * accum, "grad_accum=1"))
        .train(new ExistingDataSetIterator(merged)).build().run();
    double params = a.params().sub(b.params()).amaxNumber().doubleValue();
    double state = a.getUpdater().getStateViewArray().sub(b.getUpdater().getStateViewArray())
        .amaxNumber().doubleValue();
    System.out.printf("accumulation vs concatenated batch: params %.3e, Adam state %.3e, loss %.3e%n", params,
        state, Math.abs(ra.lastLoss() - rb.lastLoss()));
    assertTrue(params < 1e-6 && state < 1e-6, "params " + params + " state " + state);
    assertEquals(ra.lastLoss(), rb.lastLoss(), 1e-12);
    assertEquals(ra.tokens(), rb.tokens());
    assertEquals(steps * micro * accum, ra.tokens());
  }
}
