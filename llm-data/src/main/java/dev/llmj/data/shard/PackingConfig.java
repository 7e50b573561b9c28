package dev.llmj.data.shard;

import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * How {@link PackingIterator} cuts a token stream into training batches.
 *
 * <pre>{@code
 * PackingConfig cfg = PackingConfig.of(256, 16)      // T = 256 tokens, B = 16 sequences
 *     .withEpochs(3).withShuffle(42).withValidationFraction(0.05);
 * }</pre>
 *
 * @param seqLen T, tokens per sequence; each window reads T + 1 tokens so labels are the inputs
 *     shifted by one
 * @param batchSize B, sequences per batch
 * @param epochs passes over the training windows before {@code hasNext()} turns false
 * @param shuffle whether each epoch visits the windows in a seeded random order
 * @param seed shuffling seed; with the epoch number it fixes the order of every epoch
 * @param validationFraction fraction of the stream held out at its tail for validation, in [0, 1)
 * @param dropLast drop a final batch smaller than B, so every training batch has the same shape
 * @param dataType element type of features and labels: token ids as INT32 (default), INT64,
 *     FLOAT or DOUBLE (for layers that take floating inputs; exact up to 2^24 ids in FLOAT)
 */
public record PackingConfig(int seqLen, int batchSize, int epochs, boolean shuffle, long seed,
    double validationFraction, boolean dropLast, DataType dataType) {
  private static final Set<DataType> TYPES =
      Set.of(DataType.INT32, DataType.INT64, DataType.FLOAT, DataType.DOUBLE);

  public PackingConfig {
    if (seqLen < 1) {
      throw new IllegalArgumentException("seqLen is " + seqLen + ", expected >= 1");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize is " + batchSize + ", expected >= 1");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs is " + epochs + ", expected >= 1");
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validationFraction is " + validationFraction
          + ", expected a value in [0, 1), e.g. 0.01 to hold out 1% of the tokens");
    }
    Objects.requireNonNull(dataType, "dataType");
    if (!TYPES.contains(dataType)) {
      throw new IllegalArgumentException("dataType is " + dataType
          + ", expected INT32, INT64, FLOAT or DOUBLE (token ids are never one-hot)");
    }
  }

  /** One epoch, shuffled with seed 0, no validation split, last partial batch dropped, INT32. */
  public static PackingConfig of(int seqLen, int batchSize) {
    return new PackingConfig(seqLen, batchSize, 1, true, 0L, 0.0, true, DataType.INT32);
  }

  public PackingConfig withEpochs(int n) {
    return new PackingConfig(seqLen, batchSize, n, shuffle, seed, validationFraction, dropLast,
        dataType);
  }

  /** Shuffle the window order of each epoch with this seed. */
  public PackingConfig withShuffle(long newSeed) {
    return new PackingConfig(seqLen, batchSize, epochs, true, newSeed, validationFraction,
        dropLast, dataType);
  }

  /** Visit windows in stream order. */
  public PackingConfig withoutShuffle() {
    return new PackingConfig(seqLen, batchSize, epochs, false, seed, validationFraction, dropLast,
        dataType);
  }

  public PackingConfig withValidationFraction(double f) {
    return new PackingConfig(seqLen, batchSize, epochs, shuffle, seed, f, dropLast, dataType);
  }

  public PackingConfig withDropLast(boolean drop) {
    return new PackingConfig(seqLen, batchSize, epochs, shuffle, seed, validationFraction, drop,
        dataType);
  }

  public PackingConfig withDataType(DataType type) {
    return new PackingConfig(seqLen, batchSize, epochs, shuffle, seed, validationFraction,
        dropLast, type);
  }
}
