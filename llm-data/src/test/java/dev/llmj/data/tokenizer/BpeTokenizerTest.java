package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BpeTokenizerTest {
  private final BpeTokenizer gpt2 = Tokenizers.gpt2();

  private void assertRoundTrip(String text) {
    String expected = replaceUnpairedSurrogates(text);
    int[] ids = gpt2.encode(text);
    assertEquals(expected, gpt2.decode(ids), () -> "round trip of " + Gpt2PreTokenizerTest.escape(text));
  }

  /** The reference for lossy input: each unpaired surrogate becomes U+FFFD, everything else stays. */
  static String replaceUnpairedSurrogates(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else {
        sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }

  @Test
  void roundTripsAwkwardText() {
    String[] cases = {"", " ", "Hello world", "🙂👍🏽👨‍👩‍👧🇺🇸", "東京タワー、日本語のテキスト。", "한국어 中文",
        "\u0000\u0001\u0007\u001b[31mred\u001b[0m\u007f", " \t\n\r\n   \n\n\n    x   ", "\u00a0\u2003\u3000",
        "e\u0301 café naïve", "lone \ud800 high", "lone \udc00 low", "\udc00\ud800 reversed", "end\ud83d",
        "<|endoftext|>", "a".repeat(100_000), "ab".repeat(50_000) + " " + "🙂".repeat(20_000),
        " ".repeat(100_000), "x\n".repeat(10_000)};
    for (String c : cases) {
      assertRoundTrip(c);
    }
  }

  @Test
  void roundTripsRandomText() {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    for (int t = 0; t < 2000; t++) {
      StringBuilder sb = new StringBuilder(TestCorpora.randomText(rnd, 1 + rnd.nextInt(50)));
      if (rnd.nextInt(10) == 0) {
        sb.insert(rnd.nextInt(sb.length() + 1), (char) (0xD800 + rnd.nextInt(0x800))); // unpaired surrogate
      }
      assertRoundTrip(sb.toString());
    }
    System.out.println("round trip: 2000 random strings, seed " + seed + " (-Dtests.seed to reproduce)");
  }

  @Test
  void specialTokensOnlyWhenAllowed() {
    String text = "a<|endoftext|>b<|endoftext|>";
    int[] plain = gpt2.encode(text);
    int[] special = gpt2.encode(text, true);
    assertTrue(java.util.Arrays.stream(plain).noneMatch(id -> id == 50256));
    assertArrayEquals(new int[] {64, 50256, 65, 50256}, special);
    assertEquals(text, gpt2.decode(plain));
    assertEquals(text, gpt2.decode(special));
    assertEquals(List.of("<|endoftext|>"), gpt2.specialTokens());
  }

  @Test
  void unknownIdNamesIdAndVocabSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {5, 50257}));
    assertTrue(e.getMessage().contains("50257") && e.getMessage().contains("50257 (ids 0..50256"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {-3}));
    assertTrue(e.getMessage().contains("-3"), e.getMessage());
  }

  @Test
  void heapMergeEqualsArrayMergeOnLongPieces() {
    BpeModel model = gpt2.model();
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    MergeTable.Scratch scratch = new MergeTable.Scratch();
    int[] sizes = {1, 2, 3, 7, 13, 63, 64, 65, 200, 4098};
    int worst = 0;
    for (int n : sizes) {
      for (int t = 0; t < 20; t++) {
        String text = TestCorpora.randomText(rnd, n).replaceAll("\\s", "");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        IntList a = new IntList(16);
        IntList b = new IntList(16);
        fillByteIds(model, bytes, scratch);
        model.merges().mergeShort(bytes.length, a, scratch);
        fillByteIds(model, bytes, scratch);
        model.merges().mergeLong(bytes.length, b, scratch);
        assertArrayEquals(a.toArray(), b.toArray(), () -> "seed " + seed + ", text " + text);
        worst = Math.max(worst, bytes.length);
      }
    }
    System.out.println("heap merge == array merge on pieces up to " + worst + " bytes (seed " + seed + ")");
  }

  private static void fillByteIds(BpeModel model, byte[] bytes, MergeTable.Scratch scratch) {
    int[] ids = scratch.ids(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = model.byteId(bytes[i] & 0xFF);
    }
  }

  @Test
  void batchAndStreamingEqualSequential() {
    List<String> docs = new ArrayList<>(TestCorpora.sotu().subList(0, 60));
    docs.add("");
    docs.add("tiny");
    List<int[]> batch = gpt2.encodeBatch(docs);
    List<int[]> streamed = new ArrayList<>();
    gpt2.encodeAll(docs.iterator(), 3, streamed::add);
    assertEquals(docs.size(), batch.size());
    for (int i = 0; i < docs.size(); i++) {
      int[] expected = gpt2.encode(docs.get(i));
      assertArrayEquals(expected, batch.get(i), "batch doc " + i);
      assertArrayEquals(expected, streamed.get(i), "streamed doc " + i);
    }
  }
}
