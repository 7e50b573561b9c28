package dev.llmj.core.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything needed to continue a run exactly: the flat parameter vector, the flat updater state (Adam's
 * m and v, in DL4J's updater-block order), and the trainer's own state as JSON (step, tokens, DL4J
 * iteration/epoch counters, data position, RNG state, best validation loss, configuration).
 *
 * @param step optimizer steps completed
 * @param params {@code graph.params()}, shape (1, P)
 * @param updaterState {@code graph.getUpdater().getStateViewArray()}, shape (1, S); null for stateless updaters
 * @param state trainer state, written by the trainer and read back only by it
 * @param validationLoss validation loss measured at this step, NaN when none was measured
 */
public record Checkpoint(long step, INDArray params, INDArray updaterState, ObjectNode state, double validationLoss) {

  public Checkpoint {
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step=" + step + " must be >= 0");
    }
    if (params == null || state == null) {
      throw new IllegalArgumentException("checkpoint at step " + step + " needs params and state");
    }
  }
}
