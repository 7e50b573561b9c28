package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ASCII fast paths of {@link Words} against {@link Character}, and the split cache. */
class WordsTest {
  @Test
  void charClassesMatchCharacterForEveryChar() {
    int mismatches = 0;
    for (int i = 0; i <= Character.MAX_VALUE; i++) {
      char c = (char) i;
      if (Words.isSpace(c) != Character.isWhitespace(c)) mismatches++;
      if (Words.isLetterOrDigit(c) != Character.isLetterOrDigit(c)) mismatches++;
      if (Words.lower(c) != Character.toLowerCase(c)) mismatches++;
    }
    System.out.println("char class mismatches over 65536 chars: " + mismatches);
    assertEquals(0, mismatches);
  }

  @Test
  void wordHashMatchesHashOfTrimmedLowerCaseWord() {
    long seed = Long.getLong("tests.seed", 20240611L);
    Random r = new Random(seed);
    String alphabet = "aZ9 .,\t\n\u00C9\u00e9-_'\u2003";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 4098; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    String text = sb.toString();
    Words w = Words.of(text);
    Hashing.Hasher h = new Hashing.Hasher(7);
    int checked = 0;
    for (int i = 0; i < w.count(); i++) {
      String word = text.substring(w.start(i), w.end(i));
      int s = 0;
      int e = word.length();
      while (s < e && !Character.isLetterOrDigit(word.charAt(s))) s++;
      while (e > s && !Character.isLetterOrDigit(word.charAt(e - 1))) e--;
      String bare = word.substring(s, e).toLowerCase(java.util.Locale.ROOT);
      assertEquals(Hashing.hash64(text, w.start(i), w.end(i), 17), w.hash(i, 17), "raw hash of '" + word + "' seed " + seed);
      boolean has = w.wordHash(i, h.reset(7));
      assertEquals(!bare.isEmpty(), has, "word '" + word + "' (seed " + seed + ", -Dtests.seed=" + seed + ")");
      if (has) {
        assertEquals(Hashing.hash64(bare, 0, bare.length(), 7), h.lo, "word '" + word + "' seed " + seed);
        checked++;
      }
    }
    System.out.println("seed " + seed + ": " + checked + " word hashes equal the plain hash");
    // The cached split must follow a new text, also one equal in content but another instance.
    String other = new String(text.substring(0, 100));
    Words fresh = new Words();
    fresh.split(other);
    assertEquals(fresh.count(), Words.of(other).count());
  }

  /** The block-wise hash of a char range against the char-by-char one, on every range length 0..40 and random offsets. */
  @Test
  void blockHashOfCharsEqualsCharByCharHash() {
    long seed = Long.getLong("tests.seed", 20240611L);
    Random r = new Random(seed);
    char[] c = new char[200];
    for (int i = 0; i < c.length; i++) c[i] = (char) r.nextInt(Character.MAX_VALUE + 1);
    String s = new String(c);
    int checked = 0;
    for (int len = 0; len <= 40; len++) {
      for (int k = 0; k < 20; k++) {
        int from = r.nextInt(c.length - len + 1);
        long expected = Hashing.hash64(s, from, from + len, k); // one Hasher.add per char
        assertEquals(expected, Hashing.hash64(c, from, from + len, k), "range [" + from + ", " + (from + len)
            + ") seed " + k + " (-Dtests.seed=" + seed + ")");
        // addAll after a few single chars (a block already begun), both 64-bit halves
        int pre = Math.min(k % 4, len);
        Hashing.Hasher one = new Hashing.Hasher(k);
        for (int i = from; i < from + len; i++) one.add(c[i]);
        one.finish();
        Hashing.Hasher mixed = new Hashing.Hasher(k);
        for (int i = from; i < from + pre; i++) mixed.add(c[i]);
        mixed.addAll(c, from + pre, from + len).finish();
        assertEquals(one.lo, mixed.lo, "lo, range [" + from + ", " + (from + len) + ") after " + pre + " single chars");
        assertEquals(one.hi, mixed.hi, "hi, range [" + from + ", " + (from + len) + ") after " + pre + " single chars");
        checked++;
      }
    }
    System.out.println("seed " + seed + ": " + checked + " block hashes equal the char-by-char hash");
  }

  /** {@link Words#charsOf}: the split's own array when the thread's split holds the text, else a copy; same chars. */
  @Test
  void charsOfGivesTheTextsChars() {
    String a = "alpha beta\u00e9 gamma";
    String b = "another text, longer than the first one";
    Words.of(a);
    assertEquals(a, new String(Words.charsOf(a), 0, a.length()));
    assertEquals(b, new String(Words.charsOf(b), 0, b.length()));
    assertEquals(a, new String(Words.charsOf(a), 0, a.length()));
  }
}
