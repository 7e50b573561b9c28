package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.llmj.core.dist.Collective;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The trainer's steps that only a job of several ranks takes; each is a collective call on every rank. */
final class DataParallel {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DataParallel() {}

  /**
   * Checks that every rank starts at step {@code step} (all fresh, or all resumed from the same checkpoint)
   * and gives every rank rank 0's parameters and optimizer state.
   *
   * @throws IllegalStateException when the ranks start at different steps, naming this rank's
   */
  static void startTogether(ComputationGraph graph, Collective world, long step) {
    double[] steps = {step, step * (double) step};
    world.allReduceSum(steps);
    double n = world.size();
    if (steps[0] != n * step || steps[1] != n * step * (double) step) {
      throw new IllegalStateException("rank " + world.rank() + " starts at step " + step + " but the ranks of the"
          + " job disagree (mean step " + steps[0] / n + "); every rank must see the same checkpoint folder: put"
          + " the run folder on a file system all machines share");
    }
    world.broadcast(graph.params(), 0);
    INDArray updater = graph.getUpdater().getStateViewArray();
    if (updater != null) {
      world.broadcast(updater, 0);
    }
  }

  /**
   * Seeds ND4J's generator (dropout) from (seed, step, rank): ranks draw different masks, and a resumed run
   * draws the ones it drew before without storing every rank's generator state.
   */
  static void seedRank(long seed, long step, int rank) {
    long mixed = seed ^ (0x9E3779B97F4A7C15L * (step + 1)) ^ (0xC2B2AE3D27D4EB4FL * (rank + 1));
    Nd4j.getRandom().setSeed(mixed);
  }

  /** Every rank's data position, rank 0 first; null for a one-process job. */
  static JsonNode positions(Collective world, JsonNode mine) {
    if (world.size() == 1) {
      return null;
    }
    try {
      byte[] own = JSON.writeValueAsBytes(mine);
      ArrayNode all = JSON.createArrayNode();
      for (int r = 0; r < world.size(); r++) {
        all.add(JSON.readTree(new String(world.broadcast(own, r), StandardCharsets.UTF_8)));
      }
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException("data position " + mine + " does not travel as JSON", e);
    }
  }
}
