package dev.llmj.data.tokenizer;

import dev.llmj.data.internal.LongIntMap;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Hugging Face's Unigram model: the Viterbi path through every vocabulary piece that matches the
 * text, scored by the sum of the pieces' log probabilities. A character no piece covers becomes
 * {@code unk_id} at the lowest score minus 10; adjacent unknowns fuse into one, and with {@code
 * byte_fallback} an unknown run becomes its {@code <0xNN>} byte tokens when all of them exist.
 */
final class UnigramModel implements PieceModel {
  private static final double UNK_PENALTY = 10.0;

  private final String[] pieces;
  private final double[] scores;
  private final Map<String, Integer> ids;
  private final int unkId;
  private final boolean byteFallback;
  private final double unkScore;
  /** A trie over UTF-16 units: key {@code node << 16 | char}, value the child node. */
  private final LongIntMap edges;
  /** The id ending at each trie node, or -1. */
  private final IntList terminal = new IntList(1024);

  UnigramModel(String[] pieces, double[] scores, int unkId, boolean byteFallback) {
    this.pieces = pieces;
    this.scores = scores;
    this.unkId = unkId;
    this.byteFallback = byteFallback;
    ids = new HashMap<>(pieces.length * 2);
    double min = Double.POSITIVE_INFINITY;
    edges = new LongIntMap(pieces.length * 4);
    terminal.add(-1);
    for (int id = 0; id < pieces.length; id++) {
      ids.put(pieces[id], id); // a repeated piece keeps its last id, as Hugging Face's map does
      min = Math.min(min, scores[id]);
      int node = 0;
      for (int i = 0; i < pieces[id].length(); i++) {
        long key = ((long) node << 16) | pieces[id].charAt(i);
        int child = edges.getOrDefault(key, -1);
        if (child < 0) {
          child = terminal.size();
          terminal.add(-1);
          edges.putIfAbsent(key, child);
        }
        node = child;
      }
      terminal.set(node, id);
    }
    for (int id = 0; id < pieces.length; id++) {
      fixTerminal(pieces[id]);
    }
    unkScore = min - UNK_PENALTY;
  }

  /** Points a node at the id the map holds for its piece (the last of repeated pieces). */
  private void fixTerminal(String piece) {
    int node = 0;
    for (int i = 0; i < piece.length(); i++) {
      node = edges.getOrDefault(((long) node << 16) | piece.charAt(i), -1);
    }
    terminal.set(node, ids.get(piece));
  }

  @Override
  public void encode(String text, IntList out) {
    int n = text.length();
    double[] best = new double[n + 1];
    int[] from = new int[n + 1];
    int[] via = new int[n + 1];
    java.util.Arrays.fill(from, -1);
    for (int start = 0; start < n; start = next(text, start)) {
      double base = best[start];
      int charEnd = next(text, start);
      boolean single = false;
      int node = 0;
      for (int i = start; i < n; i++) {
        node = edges.getOrDefault(((long) node << 16) | text.charAt(i), -1);
        if (node < 0) {
          break;
        }
        int id = terminal.get(node);
        if (id >= 0) {
          int end = i + 1;
          double score = base + scores[id];
          if (from[end] < 0 || score > best[end]) {
            best[end] = score;
            from[end] = start;
            via[end] = id;
          }
          single |= end == charEnd;
        }
      }
      if (!single) {
        if (unkId < 0) {
          throw new IllegalArgumentException("Unigram model has no unk_id, and no piece covers \""
              + text.substring(start, charEnd) + "\" in \"" + text + "\"");
        }
        double score = base + unkScore;
        if (from[charEnd] < 0 || score > best[charEnd]) {
          best[charEnd] = score;
          from[charEnd] = start;
          via[charEnd] = unkId;
        }
      }
    }
    // Walk back, fusing runs of unknowns into one string, then map each string to ids.
    IntList starts = new IntList(16);
    IntList ends = new IntList(16);
    IntList unknown = new IntList(16);
    for (int end = n, start; end > 0; end = start) {
      start = from[end];
      boolean unk = via[end] == unkId;
      int k = unknown.size();
      if (unk && k > 0 && unknown.get(k - 1) == 1) {
        starts.set(k - 1, start);
      } else {
        starts.add(start);
        ends.add(end);
        unknown.add(unk ? 1 : 0);
      }
    }
    for (int k = unknown.size() - 1; k >= 0; k--) {
      String piece = text.substring(starts.get(k), ends.get(k));
      Integer id = ids.get(piece);
      if (id != null) {
        out.add(id);
      } else {
        appendUnknown(piece, out);
      }
    }
  }

  private void appendUnknown(String piece, IntList out) {
    if (byteFallback) {
      byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
      int[] byteIds = new int[bytes.length];
      boolean all = true;
      for (int i = 0; i < bytes.length && all; i++) {
        Integer id = ids.get(PieceModel.byteToken(bytes[i] & 0xFF));
        all = id != null;
        byteIds[i] = all ? id : -1;
      }
      if (all) {
        out.addAll(byteIds);
        return;
      }
    }
    out.add(unkId);
  }

  private static int next(String s, int i) {
    return i + Character.charCount(s.codePointAt(i));
  }

  @Override
  public int id(String token) {
    return ids.getOrDefault(token, -1);
  }

  @Override
  public String token(int id) {
    return id >= 0 && id < pieces.length ? pieces[id] : null;
  }

  @Override
  public int entries() {
    return pieces.length;
  }

  @Override
  public int size() {
    return pieces.length;
  }
}
