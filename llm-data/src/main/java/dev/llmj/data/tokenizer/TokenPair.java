package dev.llmj.data.tokenizer;

/** A pair of token ids packed into one {@code long} ({@code left << 32 | right}), a key that never boxes. */
final class TokenPair {
  private TokenPair() {}

  static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  static int left(long pair) {
    return (int) (pair >>> 32);
  }

  static int right(long pair) {
    return (int) pair;
  }
}
