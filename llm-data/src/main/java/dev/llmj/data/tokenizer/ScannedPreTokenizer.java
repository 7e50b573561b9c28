package dev.llmj.data.tokenizer;

import static dev.llmj.data.tokenizer.UnicodeClass.codePointAt;

/**
 * A split pattern implemented as a hand-written scanner that returns the same pieces as
 * {@link RegexPreTokenizer} on the same pattern: each match is a piece, and so is each stretch of
 * text between matches. Subclasses give the end of the match at a position; the scan itself and
 * the gaps are handled here.
 */
abstract class ScannedPreTokenizer implements PreTokenizer {
  private final String pattern;

  ScannedPreTokenizer(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public final String pattern() {
    return pattern;
  }

  /**
   * The end of the (leftmost-first, non-empty) match starting at {@code i}, or -1 if none starts
   * there; {@code end} acts as the end of input.
   */
  abstract int match(String s, int i, int end);

  /** The end of the piece starting at {@code i}: a match, or the text up to the next match. */
  final int next(String s, int i, int end) {
    int m = match(s, i, end);
    if (m >= 0) {
      return m;
    }
    int j = i + Character.charCount(codePointAt(s, i, end));
    while (j < end && match(s, j, end) < 0) {
      j += Character.charCount(codePointAt(s, j, end));
    }
    return j;
  }

  @Override
  public final void split(String text, int from, int to, Sink sink) {
    for (int i = from; i < to; ) {
      int end = next(text, i, to);
      sink.piece(i, end);
      i = end;
    }
  }
}
