package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.CheckpointManager;
import dev.llmj.core.io.Safetensors;
import dev.llmj.core.io.SafetensorsDType;
import dev.llmj.core.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The trainer's checkpoints in the library format: weights by name, exact types, retention, restore checks. */
class TrainerCheckpointTest {

  private static final long SEED = Long.getLong("tests.seed", 11L);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TrainConfig config(String... overrides) {
    List<String> o = new ArrayList<>(List.of("lr=0.05", "min_lr=0.005", "warmup_steps=2", "seq_len=1",
        "micro_batch=8", "progress=never", "threads=1"));
    o.addAll(List.of(overrides));
    return TrainConfig.defaults().withOverrides(o);
  }

  /** Number of values whose bits differ; the arrays must have equal shapes. */
  private static long bitsDiffering(INDArray a, INDArray b) {
    assertEquals(Arrays.toString(a.shape()), Arrays.toString(b.shape()));
    INDArray x = a.dup('c');
    INDArray y = b.dup('c');
    long differing = 0;
    for (long i = 0; i < x.length(); i++) {
      boolean same = a.dataType() == DataType.DOUBLE
          ? Double.doubleToRawLongBits(x.getDouble(i)) == Double.doubleToRawLongBits(y.getDouble(i))
          : Float.floatToRawIntBits(x.getFloat(i)) == Float.floatToRawIntBits(y.getFloat(i));
      differing += same ? 0 : 1;
    }
    return differing;
  }

  @Test
  void checkpointHoldsNamedWeightsAndUpdaterStateInTheGraphsType(@TempDir Path dir) throws Exception {
    for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      Path run = dir.resolve(type.name());
      ComputationGraph graph = ToyModels.nextToken(SEED, type, 0);
      JsonNode modelConfig = JSON.createObjectNode().put("kind", "toy").put("vocab", ToyModels.VOCAB);
      Trainer.builder(graph, config("max_steps=3")).train(new ToyData(SEED, 8, 5, type))
          .checkpoints(run).modelConfig(modelConfig).build().run();
      Path folder = new CheckpointManager(run, CheckpointManager.Retention.keepLast(1)).latest().orElseThrow().folder();
      assertEquals(run.resolve("step-00000003"), folder);

      SafetensorsDType stored = type == DataType.DOUBLE ? SafetensorsDType.F64 : SafetensorsDType.F32;
      long differing = 0;
      try (SafetensorsFile f = Safetensors.open(folder.resolve("model.safetensors"))) {
        assertEquals(graph.paramTable().keySet(), f.names());
        for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
          assertEquals(stored, f.info(p.getKey()).dtype(), p.getKey());
          differing += bitsDiffering(p.getValue(), f.load(p.getKey(), type));
        }
      }
      Checkpoint c = Checkpoint.read(folder);
      differing += bitsDiffering(graph.getUpdater().getStateViewArray(), c.optimizerState().get("updater_state"));
      System.out.println(type + ": values differing bitwise from the graph after the save: " + differing);
      assertEquals(0, differing);
      assertEquals(modelConfig, c.modelConfig());
      assertEquals(3, c.optimizerScalars().get("iteration").asInt());
      assertEquals(3 * 8, c.trainerState().tokensSeen());

      // Restoring into a differently initialised graph reproduces every parameter bit.
      ComputationGraph other = ToyModels.nextToken(SEED + 1, type, 0);
      Trainer.loadWeights(other, c);
      long after = 0;
      for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
        after += bitsDiffering(p.getValue(), other.paramTable().get(p.getKey()));
      }
      assertEquals(0, after);
    }
  }

  @Test
  void defaultModelConfigIsTheGraphConfiguration(@TempDir Path dir) throws Exception {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    Trainer.builder(graph, config("max_steps=2")).train(new ToyData(SEED, 8, 5, DataType.FLOAT))
        .checkpoints(dir).build().run();
    JsonNode saved = JSON.readTree(dir.resolve("step-00000002").resolve("config.json").toFile());
    assertEquals(JSON.readTree(graph.getConfiguration().toJson()).get("vertices"), saved.get("vertices"));
  }

  @Test
  void restoreNamesMissingUnexpectedAndMismatchedWeights() {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    Path src = Path.of("run", "step-00000007");
    Map<String, INDArray> good = GraphCheckpoint.weights(graph);
    assertEquals(List.of("emb_W", "dense_W", "dense_b", "out_W", "out_b"), List.copyOf(good.keySet()));

    Map<String, INDArray> missing = new LinkedHashMap<>(good);
    missing.remove("dense_W");
    missing.put("dense_W_typo", good.get("dense_W"));
    String m = assertThrows(IllegalArgumentException.class,
        () -> GraphCheckpoint.assignWeights(graph, missing, src)).getMessage();
    System.out.println(m);
    assertTrue(m.contains(src.toString()) && m.contains("missing [dense_W]") && m.contains("unexpected [dense_W_typo]"), m);

    Map<String, INDArray> shape = new LinkedHashMap<>(good);
    shape.put("dense_b", Nd4j.zeros(DataType.FLOAT, 17));
    m = assertThrows(IllegalArgumentException.class, () -> GraphCheckpoint.assignWeights(graph, shape, src))
        .getMessage();
    System.out.println(m);
    assertTrue(m.contains("'dense_b' has shape [17] but the graph's is [16]"), m);

    Map<String, INDArray> type = new LinkedHashMap<>(good);
    type.put("out_b", good.get("out_b").castTo(DataType.DOUBLE));
    m = assertThrows(IllegalArgumentException.class, () -> GraphCheckpoint.assignWeights(graph, type, src))
        .getMessage();
    System.out.println(m);
    assertTrue(m.contains("'out_b' is stored as DOUBLE but the graph uses FLOAT"), m);

    // A failed restore assigns nothing: the graph keeps its parameters.
    INDArray before = graph.params().dup();
    Map<String, INDArray> partly = new LinkedHashMap<>(good);
    partly.replaceAll((k, v) -> v.add(1));
    partly.put("out_b", Nd4j.zeros(DataType.FLOAT, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> GraphCheckpoint.assignWeights(graph, partly, src));
    assertEquals(before, graph.params());
  }

  @Test
  void keepsLastCheckpointsPlusTheBestByValidationLoss(@TempDir Path dir) throws Exception {
    ComputationGraph graph = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    // A learning rate this high makes the validation loss bounce, so the best is often not among the last.
    TrainConfig cfg = config("max_steps=12", "lr=1.5", "min_lr=1.5", "warmup_steps=0", "checkpoint_every=2",
        "eval_every=2", "eval_batches=2", "keep_last=2", "keep_best=true");
    Trainer.builder(graph, cfg).train(new ToyData(SEED, 8, 50, DataType.FLOAT))
        .validation(new ToyData(SEED + 1, 16, 2, DataType.FLOAT), Double.NaN)
        .checkpoints(dir.resolve("ckpt")).metrics(dir.resolve("metrics.jsonl")).build().run();

    TreeMap<Long, Double> valLoss = new TreeMap<>();
    for (String l : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      JsonNode n = JSON.readTree(l);
      if (n.has("val_loss")) {
        valLoss.put(n.get("step").asLong(), n.get("val_loss").asDouble());
      }
    }
    long best = valLoss.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<Long> expected = new ArrayList<>(List.of(10L, 12L));
    if (best < 10) {
      expected.add(0, best);
    }
    CheckpointManager m = new CheckpointManager(dir.resolve("ckpt"), cfg.retention());
    List<Long> kept = m.list().stream().map(CheckpointManager.Entry::step).toList();
    System.out.println("validation losses " + valLoss + " -> kept " + kept);
    assertEquals(expected, kept);
    assertEquals(best, m.best().orElseThrow().step());
    for (CheckpointManager.Entry e : m.list()) {
      assertEquals(valLoss.get(e.step()), e.metrics().get("val_loss"), "step " + e.step());
    }
  }

  @Test
  void resumingWithAnotherModelFailsNamingTheCheckpoint(@TempDir Path dir) throws Exception {
    TrainConfig cfg = config("max_steps=2");
    Trainer.builder(ToyModels.nextToken(SEED, DataType.FLOAT, 0), cfg).train(new ToyData(SEED, 8, 5, DataType.FLOAT))
        .checkpoints(dir).build().run();
    Trainer doubles = Trainer.builder(ToyModels.nextToken(SEED, DataType.DOUBLE, 0), cfg.withOverrides(
        List.of("max_steps=4"))).train(new ToyData(SEED, 8, 5, DataType.DOUBLE)).checkpoints(dir).build();
    String m = assertThrows(IllegalArgumentException.class, doubles::run).getMessage();
    System.out.println(m);
    assertTrue(m.contains("step-00000002") && m.contains("stored as FLOAT but the graph uses DOUBLE"), m);
  }
}
