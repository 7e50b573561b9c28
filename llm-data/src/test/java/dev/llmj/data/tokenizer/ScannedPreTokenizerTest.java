package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hand-written split scanner against {@link java.util.regex} running the same pattern
 * ({@link RegexPreTokenizer}), on hand-picked cases, seeded random strings and the corpora.
 */
class ScannedPreTokenizerTest {

  static Stream<String> patterns() {
    return PreTokenizer.Known.SCANNERS.keySet().stream().sorted();
  }

  static List<String> pieces(PreTokenizer p, String text) {
    return Gpt2PreTokenizerTest.scanned(p, text);
  }

  @Test
  void forPatternPicksTheScanners() {
    assertSame(Cl100kPreTokenizer.LLAMA3_INSTANCE, PreTokenizer.forPattern(Cl100kPreTokenizer.LLAMA3));
    assertSame(O200kPreTokenizer.INSTANCE, PreTokenizer.forPattern(O200kPreTokenizer.PATTERN));
    // DeepSeek's tokenizer.json writes CR and LF raw inside the character classes.
    String raw = DeepSeekPreTokenizer.WORDS.replace("\\r", "\r").replace("\\n", "\n");
    assertSame(DeepSeekPreTokenizer.WORDS_INSTANCE, PreTokenizer.forPattern(raw));
    assertEquals(RegexPreTokenizer.class, PreTokenizer.forPattern("\\p{N}{1,4}").getClass());
  }

  @Test
  void handPickedPieces() {
    assertEquals(List.of("Hello", " world", "'S", " ", " ", "123", "4", "!\n\n", "  ", " x"),
        pieces(Cl100kPreTokenizer.LLAMA3_INSTANCE, "Hello world'S  1234!\n\n   x"));
    assertEquals(List.of("1", "2", "3", " ab"), pieces(Cl100kPreTokenizer.QWEN2_INSTANCE, "123 ab"));
    assertEquals(List.of("Hello", "World", " HTMLParser's", " /", "path", "/\n"),
        pieces(O200kPreTokenizer.INSTANCE, "HelloWorld HTMLParser's /path/\n"));
    assertEquals(List.of("ab", "123", "4", "cd"), pieces(DeepSeekPreTokenizer.DIGITS_INSTANCE, "ab1234cd"));
    assertEquals(List.of("x ", "東京", " y"), pieces(DeepSeekPreTokenizer.CJK_INSTANCE, "x 東京 y"));
    assertEquals(List.of(".com", " is", "12", "!!\n"), pieces(DeepSeekPreTokenizer.WORDS_INSTANCE, ".com is12!!\n"));
  }

  @ParameterizedTest
  @MethodSource("patterns")
  void randomStringsMatchRegex(String pattern) {
    PreTokenizer scanner = PreTokenizer.forPattern(pattern);
    RegexPreTokenizer regex = new RegexPreTokenizer(pattern);
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    int pieces = 0;
    int trials = 4000;
    for (int t = 0; t < trials; t++) {
      String text = switch (t % 4) {
        case 0 -> SplitFuzz.tricky(rnd, 1 + rnd.nextInt(60));
        case 1 -> TestCorpora.randomText(rnd, 1 + rnd.nextInt(40));
        case 2 -> SplitFuzz.anyCodePoints(rnd, 1 + rnd.nextInt(30));
        default -> SplitFuzz.longWord(rnd, 200 + rnd.nextInt(2000));
      };
      List<String> expected = pieces(regex, text);
      pieces += expected.size();
      int trial = t;
      assertEquals(expected, pieces(scanner, text), () -> "pattern " + pattern + ", trial " + trial
          + "; reproduce with -Dtests.seed=" + seed + "; text: " + Gpt2PreTokenizerTest.escape(text));
    }
    System.out.printf("scanner for %s: %d random strings, %d pieces, 0 differences from java.util.regex"
        + " (seed %d)%n", Gpt2PreTokenizerTest.escape(pattern), trials, pieces, seed);
  }

  @ParameterizedTest
  @MethodSource("patterns")
  void corporaMatchRegex(String pattern) {
    PreTokenizer scanner = PreTokenizer.forPattern(pattern);
    RegexPreTokenizer regex = new RegexPreTokenizer(pattern);
    List<String> texts = new ArrayList<>(TestCorpora.texts("/dev/llmj/data/corpus/sotu.jsonl.gz", 40));
    texts.addAll(TestCorpora.texts("/corpora/moby-dick.jsonl.gz", 20));
    texts.addAll(TestCorpora.texts("/corpora/spamassassin-spam-1.jsonl.gz", 150));
    long chars = 0;
    for (String text : texts) {
      List<String> expected = pieces(regex, text);
      List<String> actual = pieces(scanner, text);
      if (!expected.equals(actual)) {
        int k = 0;
        while (k < Math.min(expected.size(), actual.size()) && expected.get(k).equals(actual.get(k))) {
          k++;
        }
        throw new AssertionError("pattern " + pattern + ": first different piece #" + k + ": expected "
            + Gpt2PreTokenizerTest.escape(k < expected.size() ? expected.get(k) : "<end>") + ", got "
            + Gpt2PreTokenizerTest.escape(k < actual.size() ? actual.get(k) : "<end>"));
      }
      chars += text.length();
    }
    System.out.printf("scanner for %s: %d corpus documents, %d chars, equal to java.util.regex%n",
        Gpt2PreTokenizerTest.escape(pattern), texts.size(), chars);
  }
}
