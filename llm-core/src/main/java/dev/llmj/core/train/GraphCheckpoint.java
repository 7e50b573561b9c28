package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.TrainerState;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainer's state as a library {@link Checkpoint}, and back. Weights are the graph's parameters by
 * {@code paramTable()} name ({@code "dense_W"}, {@code "dense_b"}); the optimizer state is the flat
 * updater state (Adam's m and v in DL4J's updater-block order) as one tensor; DL4J's iteration and epoch
 * counters, which the schedule and Adam's bias correction read, go with the optimizer scalars. Every array
 * keeps the graph's data type, so a resumed run continues bit for bit.
 */
final class GraphCheckpoint {

  static final String UPDATER_STATE = "updater_state";
  static final String VAL_LOSS = "val_loss";
  /** Version of the trainer's own JSON (optimizer scalars and {@code extra}). */
  static final int FORMAT = 2;
  /** The number of ranks that wrote a checkpoint; absent (1) in checkpoints of one process. */
  static final String WORLD_SIZE = "world_size";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** What the trainer counts besides the graph. */
  record Progress(long step, long tokens, long skipped, double bestValLoss) {}

  private GraphCheckpoint() {}

  /**
   * Copies of everything needed to continue: the caller may keep training while the copies are written.
   *
   * @param rankPositions every rank's data position in a job of several ranks, null for one process
   * @param valLoss validation loss measured at this step, NaN when none was (only finite values rank)
   */
  static Checkpoint capture(ComputationGraph graph, JsonNode modelConfig, TrainConfig cfg, Progress p,
      JsonNode dataPosition, JsonNode rankPositions, double valLoss, double nextLr) {
    Nd4j.getExecutioner().commit();
    Map<String, INDArray> optimizer = new LinkedHashMap<>();
    INDArray updater = graph.getUpdater().getStateViewArray();
    if (updater != null) {
      optimizer.put(UPDATER_STATE, updater.dup('c')); // (1, S)
    }
    ObjectNode scalars = JSON.objectNode().put("format", FORMAT).put("updater", "adamw")
        .put("iteration", graph.getIterationCount()).put("epoch", graph.getEpochCount()).put("next_lr", nextLr);
    Random rng = Nd4j.getRandom();
    // JSON readers that hold numbers as doubles would round 64-bit states; strings keep every bit.
    ObjectNode rngState = JSON.objectNode().put("nd4j_root_state", Long.toString(rng.rootState()))
        .put("nd4j_node_state", Long.toString(rng.nodeState()));
    ObjectNode extra = JSON.objectNode().put("format", FORMAT).put("skipped_steps", p.skipped())
        .put(WORLD_SIZE, rankPositions == null ? 1 : rankPositions.size());
    if (rankPositions != null) {
      extra.set("rank_positions", rankPositions.deepCopy());
    }
    if (Double.isFinite(p.bestValLoss())) {
      extra.put("best_val_loss", p.bestValLoss());
    }
    extra.set("train_config", cfg.toJson());
    Map<String, Double> metrics = Double.isFinite(valLoss) ? Map.of(VAL_LOSS, valLoss) : Map.of();
    return new Checkpoint(modelConfig, weights(graph), optimizer, scalars,
        new TrainerState(p.step(), p.tokens(), metrics, dataPosition, rngState, extra));
  }

  /**
   * Loads {@code c} (read from {@code folder}) into the graph, its updater, DL4J's counters and ND4J's
   * random generator, and returns the trainer's counters. The data position is the caller's to restore.
   *
   * @throws UnsupportedOperationException when the checkpoint was written by a job of another size
   */
  static Progress restore(Checkpoint c, Path folder, ComputationGraph graph, int worldSize) {
    JsonNode scalars = c.optimizerScalars();
    JsonNode extra = c.trainerState().extra();
    if (scalars.path("format").asInt(-1) != FORMAT || extra.path("format").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException(folder + ": trainer state format " + extra.path("format")
          + ", this trainer reads format " + FORMAT + "; resume with the version that wrote it");
    }
    int savedWorld = extra.path(WORLD_SIZE).asInt(1);
    if (savedWorld != worldSize) {
      throw new UnsupportedOperationException(folder + ": written by a job of " + savedWorld + " rank(s), resumed by one"
          + " of " + worldSize + "; the global batch and each rank's share of the data depend on it, so resume with "
          + (savedWorld == 1 ? "one process" : "mpirun -np " + savedWorld));
    }
    assignWeights(graph, c.model(), folder);
    INDArray updater = graph.getUpdater().getStateViewArray();
    INDArray saved = c.optimizerState().get(UPDATER_STATE);
    if ((updater == null) != (saved == null)) {
      throw new IllegalArgumentException(folder + ": optimizer state " + (saved == null ? "lacks" : "has")
          + " '" + UPDATER_STATE + "' but the graph's updater " + (updater == null ? "has no" : "has")
          + " state; build the graph with the same updater");
    }
    if (updater != null) {
      requireSameLayout(UPDATER_STATE, saved, updater.dataType(), updater.length(), folder);
      updater.assign(saved.reshape(updater.shape()));
    }
    graph.getConfiguration().setIterationCount(intField(scalars, "iteration", folder));
    graph.getConfiguration().setEpochCount(intField(scalars, "epoch", folder));
    JsonNode rng = c.trainerState().rngState();
    Nd4j.getRandom().setStates(longText(rng, "nd4j_root_state", folder), longText(rng, "nd4j_node_state", folder));
    return new Progress(c.trainerState().step(), c.trainerState().tokensSeen(),
        extra.path("skipped_steps").asLong(0), extra.path("best_val_loss").asDouble(Double.NaN));
  }

  /** The training configuration the checkpoint was written with. */
  static TrainConfig trainConfig(Checkpoint c, Path folder) {
    return TrainConfig.fromJson(c.trainerState().extra().path("train_config"), folder + " train_config");
  }

  /** c-order copies of the graph's parameters by {@code paramTable()} name. */
  static Map<String, INDArray> weights(ComputationGraph graph) {
    Map<String, INDArray> views = paramViews(graph);
    Map<String, INDArray> copies = new LinkedHashMap<>();
    views.forEach((name, view) -> copies.put(name, view.dup('c')));
    return copies;
  }

  /**
   * Assigns {@code weights} to the graph's parameter views by name. The names must match exactly and
   * every shape and data type must agree, so nothing is left at its initial value unnoticed.
   */
  static void assignWeights(ComputationGraph graph, Map<String, INDArray> weights, Object source) {
    Map<String, INDArray> views = paramViews(graph);
    TreeSet<String> missing = new TreeSet<>(views.keySet());
    missing.removeAll(weights.keySet());
    TreeSet<String> extra = new TreeSet<>(weights.keySet());
    extra.removeAll(views.keySet());
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException(source + ": weights do not match the graph: missing " + missing
          + ", unexpected " + extra + "; build the same model (layer names included) to load it");
    }
    views.forEach((name, view) -> {
      INDArray w = weights.get(name);
      if (!Arrays.equals(w.shape(), view.shape())) {
        throw new IllegalArgumentException(source + ": weight '" + name + "' has shape "
            + Arrays.toString(w.shape()) + " but the graph's is " + Arrays.toString(view.shape())
            + "; build the same model to load it");
      }
      requireSameLayout(name, w, view.dataType(), view.length(), source);
    });
    views.forEach((name, view) -> view.assign(weights.get(name)));
  }

  private static Map<String, INDArray> paramViews(ComputationGraph graph) {
    Map<String, INDArray> views = graph.paramTable();
    long total = views.values().stream().mapToLong(INDArray::length).sum();
    if (total != graph.numParams()) {
      throw new IllegalStateException("paramTable() covers " + total + " of the graph's " + graph.numParams()
          + " parameters; such a graph cannot be checkpointed by name");
    }
    return views;
  }

  /** Same length, and a data type that assigns without rounding (the reader widens F16/BF16 to FLOAT). */
  private static void requireSameLayout(String name, INDArray saved, DataType type, long length, Object source) {
    boolean exact = saved.dataType() == type
        || (saved.dataType() == DataType.FLOAT && (type == DataType.HALF || type == DataType.BFLOAT16));
    if (!exact) {
      throw new IllegalArgumentException(source + ": '" + name + "' is stored as " + saved.dataType()
          + " but the graph uses " + type + "; build the graph with dataType " + saved.dataType() + " to resume");
    }
    if (saved.length() != length) {
      throw new IllegalArgumentException(source + ": '" + name + "' holds " + saved.length()
          + " values but the graph needs " + length + "; build the same model and updater to resume");
    }
  }

  private static int intField(JsonNode node, String key, Path source) {
    JsonNode v = node.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new IllegalArgumentException(source + ": optimizer scalar '" + key + "' must be an integer >= 0, got " + v);
    }
    return v.intValue();
  }

  private static long longText(JsonNode node, String key, Path source) {
    JsonNode v = node.get(key);
    try {
      if (v != null && v.isTextual()) {
        return Long.parseLong(v.textValue());
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(source + ": rng state '" + key + "' must be a 64-bit integer as text, got " + v);
  }
}
