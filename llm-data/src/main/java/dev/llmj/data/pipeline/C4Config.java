package dev.llmj.data.pipeline;

import java.util.List;

/**
 * Settings of {@link Steps#c4}, defaults from the C4 rules (Raffel et al. 2020, section 2.2).
 * Line rules remove lines; document rules drop the document with the reason in brackets.
 *
 * @param terminalPunctuation keep only lines ending in {@code . ! ? "} (or their quote-closed forms)
 * @param minWordsPerLine lines with fewer words are removed
 * @param maxWordLength lines holding a longer word are removed
 * @param minSentences documents with fewer sentences after cleaning are dropped ({@code too_few_sentences})
 * @param dropJavascriptLines remove lines mentioning "javascript"
 * @param dropLoremIpsum drop documents containing "lorem ipsum" ({@code lorem_ipsum})
 * @param curlyBraces what a '{' means: code, so drop the document ({@code curly_brace}), drop the line, or keep
 * @param policyPhrases lines containing one of these (lower-case) are removed (cookie and terms notices)
 */
public record C4Config(
    boolean terminalPunctuation, int minWordsPerLine, int maxWordLength, int minSentences,
    boolean dropJavascriptLines, boolean dropLoremIpsum, CurlyBraces curlyBraces, List<String> policyPhrases) {
  /** Policy for curly braces, a sign of code. */
  public enum CurlyBraces { DROP_DOCUMENT, DROP_LINE, KEEP }

  public C4Config {
    Check.atLeast("minWordsPerLine", minWordsPerLine, 0);
    Check.atLeast("maxWordLength", maxWordLength, 1);
    Check.atLeast("minSentences", minSentences, 0);
    if (curlyBraces == null) throw new IllegalArgumentException("curlyBraces must be DROP_DOCUMENT, DROP_LINE or KEEP");
    policyPhrases = policyPhrases.stream().map(p -> p.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  public static C4Config defaults() {
    return new C4Config(true, 3, 1000, 5, true, true, CurlyBraces.DROP_DOCUMENT,
        List.of("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"));
  }
}
