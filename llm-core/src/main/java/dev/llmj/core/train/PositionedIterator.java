package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmj.data.shard.PackingIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A training iterator that can say where it is and go back there, so that a resumed run sees exactly the
 * batches an uninterrupted run would have seen. {@link #position()} is taken after the last batch of a
 * checkpointed step and stored in the checkpoint; {@link #restore(JsonNode)} is called once, before the
 * first {@code next()} of the resumed run.
 *
 * <p>{@link Trainer.Builder#train(PackingIterator)} and {@link Trainer.Builder#train(DataSetIterator)} adapt
 * iterators themselves; implement this interface for an iterator of your own that can seek, so that
 * resuming does not re-read the batches already seen.
 *
 * <pre>{@code
 * PositionedIterator train = PositionedIterator.packing(PackingIterator.open(shardDir, packingConfig));
 * PositionedIterator other = PositionedIterator.counting(myIterator); // any deterministic iterator
 * }</pre>
 */
public interface PositionedIterator extends DataSetIterator {

  /** The position after the last batch returned, as small JSON (stored verbatim in the checkpoint). */
  JsonNode position();

  /** Moves to a position previously returned by {@link #position()} of an identically built iterator. */
  void restore(JsonNode position);

  /**
   * Moves past the batch {@code next()} would return; one rank of a data-parallel job steps over the
   * other ranks' batches this way. By default reads it and drops it; iterators that can seek override this.
   */
  default void skip() {
    next();
  }

  /**
   * Tokens in a batch this iterator returned; the trainer's default token counter. By default the label
   * mask's sum, else B×T for (B, V, T) labels or integer (B, T) id labels, else B.
   */
  default long tokens(DataSet batch) {
    return StepEngine.defaultTokens(batch);
  }

  /**
   * Adapts a deterministic iterator (same batches in the same order after every {@code reset()}) by
   * counting batches since the last reset; restoring resets and skips that many. Skipping costs reading
   * those batches again, so iterators that can seek should implement this interface themselves.
   */
  static PositionedIterator counting(DataSetIterator iterator) {
    return iterator instanceof PositionedIterator p ? p : new CountingIterator(iterator);
  }

  /**
   * Adapts a shard {@link PackingIterator}: the position is its {@code PackingPosition} (epoch and window),
   * so resuming seeks to the exact window instead of re-reading batches. Set {@code PackingConfig.withEpochs}
   * to cover the step or token budget: the trainer stops with an error when the epochs run out, rather
   * than replaying epoch 0's order. Its batches count B×T tokens (minus -1 labels), whatever the ids' type.
   */
  static PositionedIterator packing(PackingIterator iterator) {
    return new PackingPositioned(iterator);
  }
}
