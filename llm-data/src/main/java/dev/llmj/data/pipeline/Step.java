package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.Map;

/**
 * One stage of a {@link Pipeline}: looks at a document and keeps it (possibly rewritten) or drops
 * it with a reason. The pipeline counts what each step saw, kept and dropped and times it, so steps
 * only decide. Make one with {@link Steps} or implement {@link Filter} / {@link Formatter}.
 *
 * <p>Steps whose {@link #sequential()} is false may be called from several threads at once.
 */
public interface Step {
  /** Short name for the stats report, e.g. {@code gopher_quality}. */
  String name();

  Verdict apply(Document doc);

  /**
   * True when the step keeps state across documents (dedup) and so must see them one at a time,
   * in input order, which keeps its result deterministic.
   */
  default boolean sequential() {
    return false;
  }

  /** Called before each pass over the input; stateful steps forget what they saw. */
  default void startPass() {}

  /** Extra counts for the report (e.g. redactions per type), read after the run. */
  default Map<String, Long> counters() {
    return Map.of();
  }
}
