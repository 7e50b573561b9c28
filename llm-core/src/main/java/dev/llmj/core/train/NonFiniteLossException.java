package dev.llmj.core.train;

/** Training stopped because a step's loss or gradient norm was NaN or infinite. */
public final class NonFiniteLossException extends IllegalStateException {

  private final long step;

  NonFiniteLossException(long step, String message) {
    super(message);
    this.step = step;
  }

  /** The 0-based optimizer step whose loss or gradient was not finite. */
  public long step() {
    return step;
  }
}
