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
   * a hand-written scanner for the patterns in common use (GPT-2, cl100k and Llama 3, Qwen2/3,
   * o200k, DeepSeek V3's three), {@link java.util.regex} for any other. Patterns are compared as
   * strings, with raw CR and LF characters taken as their escapes {@code \r} and {@code \n}
   * (files write them both ways).
   */
  static PreTokenizer forPattern(String pattern) {
    PreTokenizer known = Known.SCANNERS.get(pattern.replace("\r", "\\r").replace("\n", "\\n"));
    return known != null ? known : new RegexPreTokenizer(pattern);
  }

  /** The scanners by pattern. */
  final class Known {
    static final java.util.Map<String, PreTokenizer> SCANNERS = java.util.Map.of(
        Gpt2PreTokenizer.PATTERN, Gpt2PreTokenizer.INSTANCE,
        Cl100kPreTokenizer.LLAMA3, Cl100kPreTokenizer.LLAMA3_INSTANCE,
        Cl100kPreTokenizer.QWEN2, Cl100kPreTokenizer.QWEN2_INSTANCE,
        O200kPreTokenizer.PATTERN, O200kPreTokenizer.INSTANCE,
        DeepSeekPreTokenizer.DIGITS, DeepSeekPreTokenizer.DIGITS_INSTANCE,
        DeepSeekPreTokenizer.CJK, DeepSeekPreTokenizer.CJK_INSTANCE,
        DeepSeekPreTokenizer.CJK_ESCAPED, DeepSeekPreTokenizer.CJK_INSTANCE,
        DeepSeekPreTokenizer.WORDS, DeepSeekPreTokenizer.WORDS_INSTANCE);

    private Known() {}
  }
}
