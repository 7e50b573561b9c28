package dev.llmj.data.io;

/** A compressed input expanded past the configured limits; the run stops rather than fill the disk or heap. */
public final class DecompressionBombException extends IllegalArgumentException {
  DecompressionBombException(String message) {
    super(message);
  }
}
