package dev.llmj.data.pipeline;

/**
 * Settings of {@link Steps#exactDedup}.
 *
 * @param hashBits 64 (8 bytes a document; ~3% chance of one false match in a billion documents)
 *     or 128 (16 bytes; no practical collisions)
 * @param maxDocuments memory cap: after this many distinct documents, new ones are kept unchecked
 *     and counted as {@code unchecked_table_full}; the table takes at most ~4 x hashBits/8 x this bytes
 * @param seed hash seed
 */
public record ExactDedupConfig(int hashBits, long maxDocuments, long seed) {
  public ExactDedupConfig {
    if (hashBits != 64 && hashBits != 128) {
      throw new IllegalArgumentException("hashBits=" + hashBits + " must be 64 or 128");
    }
    Check.atLeast("maxDocuments", maxDocuments, 1);
    if (maxDocuments > (1L << 29)) {
      throw new IllegalArgumentException("maxDocuments=" + maxDocuments + " is above 2^29; shard the input and dedup per shard");
    }
  }

  /** 128-bit hashes, up to 100 million distinct documents (at most ~3.2 GB). */
  public static ExactDedupConfig defaults() {
    return new ExactDedupConfig(128, 100_000_000L, 0x5eed);
  }
}
