package dev.llmj.data.spark;

/**
 * A document's place in the input, packed in a long: the input file's index in the sorted list
 * (high 23 bits) and the document's position in that file (low 40 bits). Ordering the longs orders
 * the documents as the in-process pipeline reads them, so "the smallest identity" is "first in
 * input order".
 */
final class Identity {
  static final int FILE_BITS = 23;
  static final int POSITION_BITS = 40;
  static final int MAX_FILES = 1 << FILE_BITS;
  static final long MAX_POSITION = (1L << POSITION_BITS) - 1;

  private Identity() {}

  static long of(int file, long position) {
    if (position > MAX_POSITION) {
      throw new IllegalArgumentException("input file " + file + " holds more than " + MAX_POSITION
          + " documents; split it into smaller files");
    }
    return ((long) file << POSITION_BITS) | position;
  }

  static int file(long identity) {
    return (int) (identity >>> POSITION_BITS);
  }

  static long position(long identity) {
    return identity & MAX_POSITION;
  }
}
