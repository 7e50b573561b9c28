package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.CheckpointManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Evaluation, metrics, listeners and non-finite handling on the toy model (float, as in real training). */
class TrainerBehaviourTest {

  private static final long SEED = Long.getLong("tests.seed", 7L);

  private static TrainConfig config(String... overrides) {
    List<String> o = new ArrayList<>(List.of("lr=0.05", "min_lr=0.005", "warmup_steps=2", "seq_len=1",
        "micro_batch=8", "progress=never", "log_every=5", "threads=1"));
    o.addAll(List.of(overrides));
    return TrainConfig.defaults().withOverrides(o);
  }

  static final class CountingListener extends BaseTrainingListener {
    final List<Integer> iterations = new ArrayList<>();
    int gradients;
    int epochStarts;
    int epochEnds;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      iterations.add(iteration);
    }

    @Override
    public void onGradientCalculation(Model model) {
      gradients++;
    }

    @Override
    public void onEpochStart(Model model) {
      epochStarts++;
    }

    @Override
    public void onEpochEnd(Model model) {
      epochEnds++;
    }
  }

  @Test
  void evaluatesWritesMetricsAndCallsListeners(@TempDir Path dir) throws Exception {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    CountingListener counter = new CountingListener();
    graph.setListeners(counter);
    ToyData val = new ToyData(SEED + 1, 16, 3, DataType.FLOAT);
    double bytesPerToken = 3.5;
    ByteArrayOutputStream bar = new ByteArrayOutputStream();
    TrainConfig cfg = config("max_steps=12", "eval_every=5", "eval_batches=2", "grad_accum=2",
        "peak_flops=1e9", "progress=always");
    Trainer trainer = Trainer.builder(graph, cfg)
        .train(new ToyData(SEED, 8, 5, DataType.FLOAT))
        .validation(val, bytesPerToken)
        .metrics(dir.resolve("metrics.jsonl"))
        .flopsPerToken(6.0 * graph.numParams())
        .progressStream(new PrintStream(bar, true, StandardCharsets.UTF_8))
        .build();
    TrainResult r = trainer.run();

    // Independent evaluation: DL4J's own score over the same first two validation batches.
    double sum = 0;
    double reg = graph.calcRegularizationScore(true);
    for (int i = 0; i < 2; i++) {
      sum += graph.score(ToyData.batch(SEED + 1, i, 16, DataType.FLOAT), false) - reg;
    }
    double expected = sum / 2;
    Evaluation e = r.lastEvaluation();
    System.out.printf("validation loss %.6f (independent %.6f) ppl %.4f bpb %.4f%n", e.loss(), expected,
        e.perplexity(), e.bitsPerByte());
    assertEquals(expected, e.loss(), 1e-5);
    assertEquals(Math.exp(e.loss()), e.perplexity(), 1e-9);
    assertEquals(e.loss() / Math.log(2) / bytesPerToken, e.bitsPerByte(), 1e-12);
    assertEquals(32, e.tokens());

    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      lines.add(new ObjectMapper().readTree(l));
    }
    List<JsonNode> steps = lines.stream().filter(n -> n.has("loss")).toList();
    List<JsonNode> evals = lines.stream().filter(n -> n.has("val_loss")).toList();
    assertEquals(12, steps.size());
    assertEquals(List.of(5L, 10L, 12L), evals.stream().map(n -> n.get("step").asLong()).toList());
    JsonNode first = steps.get(0);
    for (String key : List.of("step", "tokens", "loss", "lr", "grad_norm", "tokens_per_s", "mfu")) {
      assertTrue(first.has(key), "metrics line lacks " + key + ": " + first);
    }
    assertEquals(16, first.get("tokens").asLong());
    assertEquals(0.025, first.get("lr").asDouble(), 1e-12); // warm-up: 0.05 * 1/2
    double tps = first.get("tokens_per_s").asDouble();
    // MFU = model FLOPs per token x tokens/s / peak FLOP/s, with 6N FLOPs per token for a forward and
    // backward pass (Kaplan et al. 2020, section 2.1; this toy has no attention term). N by hand:
    // embedding 11 x 8 = 88, dense 8 x 16 + 16 = 144, output 16 x 11 + 11 = 187: N = 419, 6N = 2,514.
    assertEquals(419, graph.numParams(), "toy parameters");
    assertEquals(2514 * tps / 1e9, first.get("mfu").asDouble(), 1e-12 * Math.max(1, tps),
        "mfu = 2,514 FLOPs/token x tokens/s / 1e9 FLOP/s");
    assertTrue(steps.get(11).get("loss").asDouble() < steps.get(0).get("loss").asDouble(), "loss must fall");
    assertTrue(bar.toString(StandardCharsets.UTF_8).contains("12/12"), bar.toString(StandardCharsets.UTF_8));

    // 12 steps x 2 micro-batches = 24 batches over 5-batch epochs: 4 epoch boundaries, plus the run's end.
    assertEquals(12, counter.iterations.size());
    assertEquals(0, counter.iterations.get(0));
    assertEquals(11, counter.iterations.get(11));
    assertEquals(12, counter.gradients);
    assertEquals(5, counter.epochStarts);
    assertEquals(5, counter.epochEnds);
    assertEquals(4, graph.getEpochCount());
    assertEquals(12, graph.getIterationCount());
  }

  @Test
  void nonFiniteLossStopsNamingTheStepAndKeepsCheckpoints(@TempDir Path dir) throws Exception {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    TrainConfig cfg = config("max_steps=20", "checkpoint_every=2", "keep_last=2");
    Trainer trainer = Trainer.builder(graph, cfg)
        .train(new ToyData(SEED, 8, 50, DataType.FLOAT, Set.of(4L))).checkpoints(dir).build();
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, trainer::run);
    System.out.println(e.getMessage());
    assertEquals(4, e.step());
    assertTrue(e.getMessage().contains("at step 4") && e.getMessage().contains("skip_nonfinite=true"));
    CheckpointManager checkpoints = new CheckpointManager(dir, cfg.retention());
    assertEquals(List.of(2L, 4L), checkpoints.list().stream().map(CheckpointManager.Entry::step).toList());
    Checkpoint last = checkpoints.loadLatest().orElseThrow();
    // The failed step (after 4 completed ones) left the parameters as checkpointed after step 4.
    double diff = 0;
    for (var p : graph.paramTable().entrySet()) {
      INDArray saved = last.model().get(p.getKey());
      assertTrue(!saved.isInfinite().any() && !saved.isNaN().any(), p.getKey());
      diff = Math.max(diff, saved.sub(p.getValue()).amaxNumber().doubleValue());
    }
    System.out.println("parameters vs last checkpoint after the failed step: max |diff| " + diff);
    assertEquals(0.0, diff);
    assertEquals(graph.paramTable().keySet(), last.model().keySet());
  }

  @Test
  void nonFiniteLossIsSkippedWhenConfigured(@TempDir Path dir) throws Exception {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    TrainConfig cfg = config("max_steps=8", "skip_nonfinite=true");
    TrainResult r = Trainer.builder(graph, cfg).train(new ToyData(SEED, 8, 50, DataType.FLOAT, Set.of(3L)))
        .metrics(dir.resolve("m.jsonl")).build().run();
    assertEquals(1, r.skippedSteps());
    assertEquals(8, r.steps());
    assertTrue(!graph.params().isNaN().any() && Double.isFinite(r.lastLoss()));
    List<String> lines = Files.readAllLines(dir.resolve("m.jsonl"));
    assertTrue(lines.get(3).contains("\"skipped\":true"), lines.get(3));
  }

  @Test
  void tokenBudgetStopsAtTheFirstStepReachingIt() throws Exception {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    TrainConfig cfg = config("max_steps=0", "max_tokens=100", "warmup_steps=1");
    TrainResult r = Trainer.builder(graph, cfg).train(new ToyData(SEED, 8, 50, DataType.FLOAT)).build().run();
    assertEquals(13, r.steps()); // ceil(100 / 8)
    assertEquals(104, r.tokens());
  }

  @Test
  void plainIteratorsResumeByCounting() {
    var batches = new ArrayList<DataSet>();
    for (int i = 0; i < 5; i++) {
      batches.add(ToyData.batch(SEED, i, 2, DataType.FLOAT));
    }
    PositionedIterator it = PositionedIterator.counting(
        new org.deeplearning4j.datasets.iterator.ExistingDataSetIterator(batches));
    it.next();
    it.next();
    JsonNode pos = it.position();
    DataSet third = it.next();
    PositionedIterator again = PositionedIterator.counting(
        new org.deeplearning4j.datasets.iterator.ExistingDataSetIterator(batches));
    again.restore(pos);
    assertEquals(third.getFeatures(), again.next().getFeatures());
    assertEquals(3, again.position().get("batches_since_reset").asLong());
  }
}
