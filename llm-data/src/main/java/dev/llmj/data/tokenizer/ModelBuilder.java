package dev.llmj.data.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a vocabulary and merge list read from a file and turns them into a {@link BpeTokenizer};
 * every error names the source file and the offending token, id or merge line.
 */
final class ModelBuilder {
  /** Guards allocations against absurd ids in untrusted files. */
  static final int MAX_ID = 1 << 24;

  /** One merge as written in a file, with where it was written for error messages. */
  record Merge(String left, String right, String where) {}

  private ModelBuilder() {}

  /**
   * @param vocab byte-level spelled token to id; entries whose text is a special token are taken as special
   * @param special special token content to id (may repeat entries of {@code vocab})
   */
  static BpeTokenizer build(String source, Map<String, Integer> vocab, Map<String, Integer> special,
      List<Merge> merges, Normalizer normalizer, PreTokenizer preTokenizer) {
    Map<Integer, String> byId = new HashMap<>();
    int size = 0;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      size = Math.max(size, checkId(source, e.getKey(), e.getValue(), byId) + 1);
    }
    Map<Integer, String> specialById = new HashMap<>();
    for (Map.Entry<String, Integer> e : special.entrySet()) {
      int id = e.getValue();
      if (!e.getKey().equals(byId.get(id))) {
        checkId(source, e.getKey(), id, byId);
      }
      specialById.put(id, e.getKey());
    }
    byte[][] tokens = new byte[size][];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      if (special.containsKey(e.getKey())) {
        continue;
      }
      byte[] bytes = ByteLevel.toBytesOrNull(e.getKey());
      if (bytes == null || bytes.length == 0) {
        throw new IllegalArgumentException(source + ": vocab token \"" + e.getKey() + "\" (id "
            + e.getValue() + ") is not in GPT-2's byte-level alphabet; only byte-level BPE "
            + "vocabularies are supported (or declare it in added_tokens as special)");
      }
      tokens[e.getValue()] = bytes;
    }
    int[] left = new int[merges.size()];
    int[] right = new int[merges.size()];
    int[] result = new int[merges.size()];
    for (int r = 0; r < merges.size(); r++) {
      Merge m = merges.get(r);
      left[r] = lookup(source, vocab, m, m.left());
      right[r] = lookup(source, vocab, m, m.right());
      Integer merged = vocab.get(m.left() + m.right());
      if (merged == null) {
        throw new IllegalArgumentException(source + " " + m.where() + ": merge \"" + m.left() + " "
            + m.right() + "\" produces \"" + m.left() + m.right() + "\", which is not in the vocabulary");
      }
      result[r] = merged;
    }
    try {
      return new BpeTokenizer(normalizer, preTokenizer, new BpeModel(tokens, left, right, result),
          new SpecialTokens(specialById));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static int checkId(String source, String token, int id, Map<Integer, String> byId) {
    if (id < 0 || id >= MAX_ID) {
      throw new IllegalArgumentException(source + ": token \"" + token + "\" has id " + id
          + "; ids must be in [0, " + MAX_ID + ")");
    }
    String other = byId.putIfAbsent(id, token);
    if (other != null) {
      throw new IllegalArgumentException(source + ": tokens \"" + other + "\" and \"" + token
          + "\" both have id " + id + "; each id must name one token");
    }
    return id;
  }

  private static int lookup(String source, Map<String, Integer> vocab, Merge m, String part) {
    Integer id = vocab.get(part);
    if (id == null) {
      throw new IllegalArgumentException(source + " " + m.where() + ": merge \"" + m.left() + " "
          + m.right() + "\" refers to token \"" + part + "\", which is not in the vocabulary");
    }
    return id;
  }

  /** Parses one {@code "left right"} merge line. */
  static Merge parseMerge(String line, String where, String source) {
    int sp = line.indexOf(' ');
    if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
      long parts = line.isBlank() ? 0 : line.trim().split(" +").length;
      throw new IllegalArgumentException(source + " " + where + ": a merge is two tokens separated "
          + "by one space, got " + parts + " in \"" + line + "\"");
    }
    return new Merge(line.substring(0, sp), line.substring(sp + 1), where);
  }
}
