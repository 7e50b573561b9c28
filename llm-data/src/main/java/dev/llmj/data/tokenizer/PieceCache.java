package dev.llmj.data.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Piece text to token ids. Natural text repeats a few thousand pieces over and over, so most
 * pieces skip UTF-8 encoding and merging. Bounded: when full it is emptied and refills with what
 * is frequent now, which costs nothing per hit (no recency bookkeeping) and is safe across threads.
 */
final class PieceCache {
  /** Longer pieces are rare and would pin memory. */
  static final int MAX_PIECE_CHARS = 48;

  private final int capacity;
  private final ConcurrentHashMap<String, int[]> map;

  PieceCache(int capacity) {
    this.capacity = capacity;
    this.map = new ConcurrentHashMap<>(capacity * 2);
  }

  int[] get(String piece) {
    return map.get(piece);
  }

  void put(String piece, int[] ids) {
    if (map.size() >= capacity) {
      map.clear();
    }
    map.put(piece, ids);
  }
}
