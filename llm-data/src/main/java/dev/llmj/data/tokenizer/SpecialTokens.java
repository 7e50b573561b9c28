package dev.llmj.data.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** Special tokens (such as {@code <|endoftext|>}) with their ids, and a scan for them in text. */
final class SpecialTokens {
  static final SpecialTokens NONE = new SpecialTokens(Map.of());

  private final String[] contents; // in id order
  private final int[] ids;

  /** @param byId content of each special token, keyed by id */
  SpecialTokens(Map<Integer, String> byId) {
    TreeMap<Integer, String> sorted = new TreeMap<>(byId);
    contents = sorted.values().toArray(new String[0]);
    ids = sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
    for (String c : contents) {
      if (c.isEmpty()) {
        throw new IllegalArgumentException("special token content is empty; give it text such as <|endoftext|>");
      }
    }
    if (Arrays.stream(contents).distinct().count() != contents.length) {
      throw new IllegalArgumentException("special tokens have duplicate contents: " + Arrays.toString(contents));
    }
  }

  boolean isEmpty() {
    return contents.length == 0;
  }

  int size() {
    return contents.length;
  }

  String content(int i) {
    return contents[i];
  }

  int id(int i) {
    return ids[i];
  }

  List<String> contents() {
    return Collections.unmodifiableList(new ArrayList<>(Arrays.asList(contents)));
  }

  OptionalInt idOf(String content) {
    for (int i = 0; i < contents.length; i++) {
      if (contents[i].equals(content)) {
        return OptionalInt.of(ids[i]);
      }
    }
    return OptionalInt.empty();
  }

  /** Finds special tokens left to right; at one position the longest wins. */
  final class Scan {
    private final String text;
    private final int[] nextAt = new int[contents.length];
    int start;
    int index;

    Scan(String text) {
      this.text = text;
      Arrays.fill(nextAt, -2);
    }

    /** Moves to the first special token at or after {@code from}; false if there is none. */
    boolean find(int from) {
      index = -1;
      start = Integer.MAX_VALUE;
      for (int i = 0; i < contents.length; i++) {
        if (nextAt[i] != -1 && nextAt[i] < from) {
          nextAt[i] = text.indexOf(contents[i], from); // cached, so each token's scan moves forward only
        }
        int at = nextAt[i];
        if (at >= 0 && (at < start || (at == start && contents[i].length() > contents[index].length()))) {
          start = at;
          index = i;
        }
      }
      return index >= 0;
    }

    int end() {
      return start + contents[index].length();
    }

    int id() {
      return ids[index];
    }
  }
}
