package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** {@link PositionedIterator#counting}: position = batches returned since the last reset. */
final class CountingIterator extends ForwardingIterator {

  private long batches;

  CountingIterator(DataSetIterator in) {
    super(in);
  }

  @Override
  public JsonNode position() {
    return JsonNodeFactory.instance.objectNode().put("batches_since_reset", batches);
  }

  @Override
  public void restore(JsonNode position) {
    JsonNode n = position == null ? null : position.get("batches_since_reset");
    if (n == null || !n.canConvertToLong() || n.asLong() < 0) {
      throw new IllegalArgumentException("Data position " + position
          + " has no non-negative 'batches_since_reset'; was the checkpoint written with another iterator?");
    }
    reset();
    for (long i = 0; i < n.asLong(); i++) {
      if (!hasNext()) {
        throw new IllegalStateException("Cannot restore data position: iterator ended after " + i + " of "
            + n.asLong() + " batches; it must be the same data as in the checkpointed run");
      }
      next();
    }
  }

  @Override
  public DataSet next(int num) {
    batches++;
    return super.next(num);
  }

  @Override
  public DataSet next() {
    batches++;
    return super.next();
  }

  @Override
  public void reset() {
    super.reset();
    batches = 0;
  }
}
