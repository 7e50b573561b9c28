package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** C4 line cleaning and document rules; see {@link C4Config}. */
final class C4Step implements Step {
  private final C4Config c;
  private final LongAdder linesRemoved = new LongAdder();

  C4Step(C4Config config) {
    this.c = config;
  }

  @Override
  public String name() {
    return "c4";
  }

  @Override
  public Verdict apply(Document doc) {
    String text = doc.text();
    String lower = text.toLowerCase(Locale.ROOT);
    if (c.dropLoremIpsum() && lower.contains("lorem ipsum")) return Verdict.drop("lorem_ipsum");
    if (c.curlyBraces() == C4Config.CurlyBraces.DROP_DOCUMENT && text.indexOf('{') >= 0) return Verdict.drop("curly_brace");
    StringBuilder sb = new StringBuilder(text.length());
    long removed = 0;
    int start = 0;
    int n = text.length();
    while (start < n) {
      int end = text.indexOf('\n', start);
      if (end < 0) end = n;
      String line = text.substring(start, end).strip();
      if (!line.isEmpty()) {
        if (keepLine(line, lower.substring(start, end))) {
          if (sb.length() > 0) sb.append('\n');
          sb.append(line);
        } else {
          removed++;
        }
      }
      start = end + 1;
    }
    if (removed > 0) linesRemoved.add(removed);
    if (sb.length() == 0) return Verdict.drop("no_lines_left");
    if (sentences(sb) < c.minSentences()) return Verdict.drop("too_few_sentences");
    return Verdict.keep(removed == 0 ? doc : doc.withText(sb.toString()));
  }

  private boolean keepLine(String line, String lowerLine) {
    if (c.terminalPunctuation() && !endsWithTerminal(line)) return false;
    if (c.dropJavascriptLines() && lowerLine.contains("javascript")) return false;
    if (c.curlyBraces() == C4Config.CurlyBraces.DROP_LINE && line.indexOf('{') >= 0) return false;
    for (String p : c.policyPhrases()) if (lowerLine.contains(p)) return false;
    int words = 0;
    int run = 0;
    for (int i = 0; i <= line.length(); i++) {
      if (i == line.length() || Character.isWhitespace(line.charAt(i))) {
        if (run > 0) words++;
        run = 0;
      } else if (++run > c.maxWordLength()) {
        return false;
      }
    }
    return words >= c.minWordsPerLine();
  }

  private static boolean endsWithTerminal(String line) {
    char last = line.charAt(line.length() - 1);
    if (last == '"' || last == '\'' || last == '\u201D') {
      if (line.length() == 1) return false;
      last = line.charAt(line.length() - 2);
    }
    return last == '.' || last == '!' || last == '?' || last == '"';
  }

  /** Sentence ends: a run of . ! ? followed by whitespace, a closing quote or the end of the text. */
  static int sentences(CharSequence t) {
    int count = 0;
    for (int i = 0; i < t.length(); i++) {
      char ch = t.charAt(i);
      if (ch == '.' || ch == '!' || ch == '?') {
        while (i + 1 < t.length() && (t.charAt(i + 1) == '.' || t.charAt(i + 1) == '!' || t.charAt(i + 1) == '?')) i++;
        if (i + 1 == t.length() || Character.isWhitespace(t.charAt(i + 1)) || t.charAt(i + 1) == '"') count++;
      }
    }
    return count;
  }

  @Override
  public void startPass() {
    linesRemoved.reset();
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("lines_removed", linesRemoved.sum());
  }
}
