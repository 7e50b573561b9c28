package dev.llmj.examples.cli;

import dev.llmj.data.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Turns generated token ids into text as they come. A byte-level token may end inside a UTF-8 character,
 * so the whole sequence is decoded each time and only the new suffix is returned, holding back trailing
 * replacement characters until the bytes that complete them arrive (or {@link #finish}).
 */
final class TextStream {
  private static final char REPLACEMENT = '\uFFFD';

  private final Tokenizer tokenizer;
  private int[] ids = new int[16];
  private int count;
  private int printed;

  TextStream(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds one token; returns the text that became final (possibly empty). */
  String add(int id) {
    if (count == ids.length) {
      ids = Arrays.copyOf(ids, 2 * count);
    }
    ids[count++] = id;
    String text = tokenizer.decode(Arrays.copyOf(ids, count));
    int end = text.length();
    while (end > printed && text.charAt(end - 1) == REPLACEMENT) {
      end--;
    }
    return take(text, end);
  }

  /** Whatever is still held back: bytes that never completed a character decode as U+FFFD. */
  String finish() {
    String text = tokenizer.decode(Arrays.copyOf(ids, count));
    return take(text, text.length());
  }

  private String take(String text, int end) {
    if (end <= printed) {
      return "";
    }
    String out = text.substring(printed, end);
    printed = end;
    return out;
  }
}
