package dev.llmj.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where training stands: the counters this package understands plus opaque JSON the trainer owns.
 *
 * @param step optimizer steps taken; names the checkpoint folder
 * @param tokensSeen training tokens consumed
 * @param metrics numbers to rank checkpoints by, e.g. {@code val_loss}
 * @param dataPosition the data loader's resume position, stored verbatim
 * @param rngState random generator states (numbers or strings; JSON doubles cannot hold every long,
 *     so store 64-bit seeds as strings), stored verbatim
 * @param extra anything else, stored verbatim
 */
public record TrainerState(long step, long tokensSeen, Map<String, Double> metrics, JsonNode dataPosition,
    JsonNode rngState, JsonNode extra) {

  public TrainerState {
    if (step < 0 || tokensSeen < 0) {
      throw new IllegalArgumentException("step (" + step + ") and tokensSeen (" + tokensSeen + ") must be >= 0");
    }
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
    metrics.forEach((k, v) -> {
      if (v == null || !Double.isFinite(v)) {
        throw new IllegalArgumentException("metric '" + k + "' must be a finite number, got " + v);
      }
    });
    dataPosition = copy(dataPosition);
    rngState = copy(rngState);
    extra = copy(extra);
  }

  public TrainerState(long step, long tokensSeen) {
    this(step, tokensSeen, Map.of(), null, null, null);
  }

  private static JsonNode copy(JsonNode node) {
    return node == null ? NullNode.getInstance() : node.deepCopy();
  }

  @Override
  public JsonNode dataPosition() {
    return dataPosition.deepCopy();
  }

  @Override
  public JsonNode rngState() {
    return rngState.deepCopy();
  }

  @Override
  public JsonNode extra() {
    return extra.deepCopy();
  }
}
