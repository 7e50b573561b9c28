package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written GPT-2 scanner against {@link java.util.regex} running the same pattern. */
class Gpt2PreTokenizerTest {
  private static final Pattern REFERENCE =
      Pattern.compile(Gpt2PreTokenizer.PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

  static List<String> reference(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = REFERENCE.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() != last) {
        throw new AssertionError("regex skipped text at " + last);
      }
      out.add(m.group());
      last = m.end();
    }
    return out;
  }

  static List<String> scanned(PreTokenizer p, String text) {
    List<String> out = new ArrayList<>();
    p.split(text, 0, text.length(), (s, e) -> out.add(text.substring(s, e)));
    return out;
  }

  @Test
  void handPickedCases() {
    String[] cases = {"Hello world", "I'm here, aren't you?", "  two  spaces ", "a\n\nb", "x \t y",
        "trailing   ", "   ", "' 's 'S 're'll", "1990s 3.14", "\u00a0word\u3000more", "🙂🙂 😀x",
        "東京タワー 123", "e\u0301", "\ud800 lone", "end\ud83d", "?'s", " 'll", "\r\n\r\n  x"};
    for (String c : cases) {
      assertEquals(reference(c), scanned(Gpt2PreTokenizer.INSTANCE, c), () -> "text: " + c);
    }
    assertEquals(List.of("Hello", " world", "'s", " ", " x"), scanned(Gpt2PreTokenizer.INSTANCE, "Hello world's  x"));
  }

  @Test
  void randomStringsMatchRegex() {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    int pieces = 0;
    for (int t = 0; t < 3000; t++) {
      String text = t % 3 == 0 ? randomRaw(rnd, 1 + rnd.nextInt(60)) : TestCorpora.randomText(rnd, 1 + rnd.nextInt(40));
      List<String> expected = reference(text);
      pieces += expected.size();
      int trial = t;
      assertEquals(expected, scanned(Gpt2PreTokenizer.INSTANCE, text),
          () -> "trial " + trial + ", reproduce with -Dtests.seed=" + seed + "; text: " + escape(text));
    }
    System.out.printf("pre-tokenizer: 3000 random strings, %d pieces, 0 differences from java.util.regex (seed %d)%n",
        pieces, seed);
  }

  @Test
  void regionEndActsAsEndOfInput() {
    String text = "ab  cd  ef";
    List<String> out = new ArrayList<>();
    Gpt2PreTokenizer.INSTANCE.split(text, 0, 4, (s, e) -> out.add(text.substring(s, e)));
    assertEquals(reference("ab  "), out);
  }

  @Test
  void regexPreTokenizerKeepsGapsBetweenMatches() {
    PreTokenizer p = PreTokenizer.forPattern("\\d+");
    assertEquals(List.of("ab", "12", " c", "3"), scanned(p, "ab12 c3"));
  }

  /** Characters drawn from classes the pattern distinguishes, including unpaired surrogates. */
  private static String randomRaw(Random rnd, int n) {
    String alphabet = " \t\n\r\u000b\f\u0085\u00a0\u2028\u3000'srtvemldSa1\u0661\u00bd.!?-_\u00e9\u4e2d\ud800\udc00";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(10) == 0) {
        sb.appendCodePoint(TestCorpora.randomCodePoint(rnd));
      } else {
        sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
    }
    return sb.toString();
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return sb.toString();
  }
}
