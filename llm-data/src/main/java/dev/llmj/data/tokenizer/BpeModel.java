package dev.llmj.data.tokenizer;

import java.util.Arrays;

/**
 * The byte-level BPE model: token bytes by id and the ranked merge list. Encoding a piece starts
 * from one token per byte and merges by rank ({@link MergeTable}).
 */
final class BpeModel {
  /** Token bytes by id; {@code null} for ids that are special tokens or unused. */
  private final byte[][] tokens;
  private final int[] byteIds = new int[256];
  private final MergeTable merges;

  /**
   * @param tokens bytes of each id ({@code null} where unused); must contain all 256 single bytes
   * @param mergeLeft left id of each merge, in rank order; {@code mergeRight}, {@code mergeResult} likewise
   */
  BpeModel(byte[][] tokens, int[] mergeLeft, int[] mergeRight, int[] mergeResult) {
    this(tokens, mergeLeft, mergeRight, mergeResult, null);
  }

  /** @param priority of each merge, as {@link MergeTable#MergeTable(int[], int[], int[], int[])} takes it */
  BpeModel(byte[][] tokens, int[] mergeLeft, int[] mergeRight, int[] mergeResult, int[] priority) {
    this.tokens = tokens;
    Arrays.fill(byteIds, -1);
    for (int id = 0; id < tokens.length; id++) {
      if (tokens[id] != null && tokens[id].length == 1) {
        byteIds[tokens[id][0] & 0xFF] = id;
      }
    }
    for (int b = 0; b < 256; b++) {
      if (byteIds[b] < 0) {
        throw new IllegalArgumentException(String.format(
            "vocabulary has no token for byte 0x%02X (spelled \"%s\"); a byte-level BPE vocabulary "
                + "needs all 256 single bytes", b, ByteLevel.toText(new byte[] {(byte) b})));
      }
    }
    merges = new MergeTable(mergeLeft, mergeRight, mergeResult, priority);
  }

  int size() {
    return tokens.length;
  }

  /** Bytes of a token, or {@code null} if the id is out of range or not a BPE token. */
  byte[] bytes(int id) {
    return id >= 0 && id < tokens.length ? tokens[id] : null;
  }

  MergeTable merges() {
    return merges;
  }

  int mergeCount() {
    return merges.size();
  }

  int mergeLeft(int rank) {
    return merges.left(rank);
  }

  int mergeRight(int rank) {
    return merges.right(rank);
  }

  int byteId(int b) {
    return byteIds[b];
  }

  /** Appends the ids of the piece {@code bytes[0, n)} to {@code out}. */
  void encode(byte[] bytes, int n, IntList out, MergeTable.Scratch s) {
    int[] ids = s.ids(n);
    for (int i = 0; i < n; i++) {
      ids[i] = byteIds[bytes[i] & 0xFF];
    }
    merges.merge(n, out, s);
  }
}
