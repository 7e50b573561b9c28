package dev.llmj.data.tokenizer;

/**
 * A pre-tokenizer for any split pattern (Oniguruma syntax, as in {@code tokenizer.json}), as
 * Hugging Face's {@code Split} with behaviour {@code Isolated}: every match is a piece, and so is
 * any text between matches; an empty match cuts the text there.
 */
final class RegexPreTokenizer implements PreTokenizer {
  private final String pattern;
  private final SplitPattern compiled;

  RegexPreTokenizer(String pattern) {
    this.pattern = pattern;
    this.compiled = SplitPattern.regex(pattern, "pre-tokenizer pattern");
  }

  @Override
  public String pattern() {
    return pattern;
  }

  @Override
  public void split(String text, int from, int to, Sink sink) {
    // The range is the whole input to the expression: anchors and look-arounds stop at its ends.
    String s = from == 0 && to == text.length() ? text : text.substring(from, to);
    compiled.find(s, (start, end, match) -> {
      if (end > start) {
        sink.piece(from + start, from + end);
      }
    });
  }
}
