package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/** Texts of the embedded corpora, and seeded random strings that stress the tokenizer. */
final class TestCorpora {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<String> sotu;

  private TestCorpora() {}

  static synchronized List<String> sotu() {
    if (sotu == null) {
      sotu = texts("/dev/llmj/data/corpus/sotu.jsonl.gz", Integer.MAX_VALUE);
    }
    return sotu;
  }

  static List<String> texts(String resource, int limit) {
    List<String> out = new ArrayList<>();
    try (InputStream raw = TestCorpora.class.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      for (String line; out.size() < limit && (line = r.readLine()) != null; ) {
        JsonNode n = JSON.readTree(line);
        if (n.hasNonNull("text")) { // moby-dick's last line is a table of contents, not a record
          out.add(n.get("text").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The seed for randomized tests: {@code -Dtests.seed=...} to reproduce, else fixed. */
  static long seed() {
    return Long.getLong("tests.seed", 20240611L);
  }

  private static final String[] WORDS = {"the", "The", "state", "Union", "don't", "we're", "I've",
      "it'll", "she'd", "I'm", "it's", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "naïve",
      "café", "Zürich", "straße", "ΑΒΓ", "Москва", "東京", "日本語", "한국어", "中文字符", "🙂", "👍🏽",
      "👨‍👩‍👧", "🇺🇸", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "١٢٣", "½", "Ⅻ", "x²", "1990s", "3.14159", "42", "1,000,000",
      "e-mail", "http://example.com/a?b=c", "<|endoftext|>", "<|", "|>", "\u00a0", "\u2003", "\u3000",
      "\u200b", "\ufeff", "é", "e\u0301", "...", "!!!", "--", "—", "“quoted”", "(paren)", "[x]",
      "{y}", "#tag", "@user", "$5", "%", "&amp;", "\\", "/", "\t", "\r\n", "\u0000", "\u0007",
      "\u001b[0m", "\u0085", "\u2028"};

  private static final String[] GAPS = {" ", " ", " ", "", "  ", "   ", "\n", "\n\n", " \n ",
      "\t", "\t ", " \t\n", ",", ".", ", ", ". ", "'", "' ", " '", "\r\n", "      "};

  /** A mix of words, punctuation, digits, whitespace runs, emoji, CJK, accents and contractions. */
  static String randomText(Random rnd, int pieces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      switch (rnd.nextInt(6)) {
        case 0 -> sb.append(WORDS[rnd.nextInt(WORDS.length)]);
        case 1 -> sb.append(GAPS[rnd.nextInt(GAPS.length)]);
        case 2 -> sb.append(randomAsciiWord(rnd));
        case 3 -> sb.append(rnd.nextInt(100000));
        case 4 -> sb.appendCodePoint(randomCodePoint(rnd));
        default -> sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(GAPS[rnd.nextInt(GAPS.length)]);
      }
    }
    return sb.toString();
  }

  static String randomAsciiWord(Random rnd) {
    int n = 1 + rnd.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append((char) (rnd.nextBoolean() ? 'a' + rnd.nextInt(26) : 32 + rnd.nextInt(95)));
    }
    return sb.toString();
  }

  /** Any assigned code point, weighted towards the ranges text actually uses; never a surrogate. */
  static int randomCodePoint(Random rnd) {
    while (true) {
      int cp = switch (rnd.nextInt(5)) {
        case 0 -> rnd.nextInt(0x80);
        case 1 -> 0x80 + rnd.nextInt(0x780);
        case 2 -> 0x800 + rnd.nextInt(0xF800);
        case 3 -> 0x1F300 + rnd.nextInt(0x300);
        default -> rnd.nextInt(0x110000);
      };
      if (Character.isDefined(cp) && !Character.isSurrogate((char) cp) && cp < 0x110000
          && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        return cp;
      }
    }
  }
}
