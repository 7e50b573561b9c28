package dev.llmj.data.tokenizer;

/**
 * Splits text into pieces before the BPE model sees it; merges never cross a piece boundary. The
 * pieces of a range cover it exactly, in order, so concatenating them gives the text back.
 */
interface PreTokenizer {

  /** Receives one piece {@code [start, end)} of the text. */
  @FunctionalInterface
  interface Sink {
    void piece(int start, int end);
  }

  /** Calls {@code sink} for each piece of {@code text[from, to)}, treating {@code to} as the end of input. */
  void split(String text, int from, int to, Sink sink);

  /** The regular expression this pre-tokenizer implements. */
  String pattern();

  /**
   * The pre-tokenizer for a split pattern written as in {@code tokenizer.json} (Oniguruma syntax):
   * the hand-written GPT-2 scanner for the GPT-2 pattern, {@link java.util.regex} for any other.
   */
  static PreTokenizer forPattern(String pattern) {
    return Gpt2PreTokenizer.PATTERN.equals(pattern)
        ? Gpt2PreTokenizer.INSTANCE
        : new RegexPreTokenizer(pattern);
  }
}
