package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.PackingPosition;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@link PositionedIterator#packing}: the position is {@link PackingPosition#encode()}'s one line, so a
 * checkpoint's {@code trainer_state.json} shows it as written, and restoring seeks instead of replaying.
 */
final class PackingPositioned extends ForwardingIterator {

  private final PackingIterator packing;

  PackingPositioned(PackingIterator packing) {
    super(packing);
    this.packing = packing;
  }

  @Override
  public JsonNode position() {
    return TextNode.valueOf(packing.position().encode());
  }

  @Override
  public void restore(JsonNode position) {
    if (position == null || !position.isTextual()) {
      throw new IllegalArgumentException("Data position " + position + " is not a packing position such as"
          + " \"split=train,epoch=0,window=48,...\"; was the checkpoint written with another iterator?");
    }
    packing.restore(PackingPosition.parse(position.textValue()));
  }

  /** Moves the window cursor without reading the windows. */
  @Override
  public void skip() {
    packing.skip();
  }

  /** Labels are (B, T) next-token ids, FLOAT or INT: every id but -1 is a token. */
  @Override
  public long tokens(DataSet batch) {
    return StepEngine.idTokens(batch);
  }

  /**
   * False: the packing iterator's own epochs ({@code PackingConfig.withEpochs}) are the data budget, and its
   * {@code reset()} would replay epoch 0's order; running past them is an error naming the step instead.
   */
  @Override
  public boolean resetSupported() {
    return false;
  }
}
