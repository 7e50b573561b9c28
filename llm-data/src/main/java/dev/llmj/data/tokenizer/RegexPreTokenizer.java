package dev.llmj.data.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pre-tokenizer for any split pattern, as Hugging Face's {@code Split} with behaviour
 * {@code Isolated}: every match is a piece, and so is any text between matches.
 */
final class RegexPreTokenizer implements PreTokenizer {
  private final String pattern;
  private final Pattern compiled;

  RegexPreTokenizer(String pattern) {
    this.pattern = pattern;
    try {
      this.compiled = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "pre-tokenizer pattern is not a valid regular expression: " + e.getMessage(), e);
    }
  }

  @Override
  public String pattern() {
    return pattern;
  }

  @Override
  public void split(String text, int from, int to, Sink sink) {
    Matcher m = compiled.matcher(text).region(from, to);
    int last = from;
    while (m.find()) {
      if (m.end() == m.start()) {
        continue; // empty matches split nothing
      }
      if (m.start() > last) {
        sink.piece(last, m.start());
      }
      sink.piece(m.start(), m.end());
      last = m.end();
    }
    if (last < to) {
      sink.piece(last, to);
    }
  }
}
