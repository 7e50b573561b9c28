package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tiktoken rank files, read from JTokkit's jar, against JTokkit's own encoders built from the same
 * files (an independent implementation): ids must be identical on the corpora and random strings.
 */
class TiktokenParityTest {
  private static final EncodingRegistry REGISTRY = Encodings.newDefaultEncodingRegistry();
  private static final ConcurrentHashMap<String, BpeTokenizer> LOADED = new ConcurrentHashMap<>();

  static BpeTokenizer load(String encoding) {
    return LOADED.computeIfAbsent(encoding, name -> {
      String resource = "/com/knuddels/jtokkit/" + name + ".tiktoken";
      try (InputStream in = Encoding.class.getResourceAsStream(resource)) {
        assertNotNull(in, resource);
        return TiktokenFile.read(in, "classpath:" + resource, TiktokenFile.encoding(name));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static Encoding jtokkit(String encoding) {
    return REGISTRY.getEncoding(EncodingType.fromName(encoding).orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cl100k_base", "o200k_base"})
  void specialTokens(String encoding) {
    BpeTokenizer tok = load(encoding);
    int eot = encoding.equals("o200k_base") ? 199999 : 100257;
    assertEquals(eot, tok.endOfTextId());
    int[] ids = tok.encode("Hello<|endoftext|> world", true);
    assertArrayEquals(jtokkit(encoding).encodeOrdinary("Hello").toArray(), Arrays.copyOf(ids, 1));
    assertEquals(eot, ids[1]);
    assertEquals("Hello<|endoftext|> world", tok.decode(ids));
  }

  @ParameterizedTest
  @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
  void corpora(String encoding) {
    List<String> texts = new ArrayList<>(TestCorpora.texts("/dev/llmj/data/corpus/sotu.jsonl.gz", 60));
    texts.addAll(TestCorpora.texts("/corpora/moby-dick.jsonl.gz", 30));
    texts.addAll(TestCorpora.texts("/corpora/spamassassin-spam-1.jsonl.gz", 150));
    texts.addAll(TestCorpora.texts("/corpora/spamassassin-easy-ham-1.jsonl.gz", 150));
    assertParity(encoding, "corpora", texts);
  }

  /** {@code Tokenizers.load} of a rank file gives the general pipeline; its ids are JTokkit's too. */
  @Test
  void loadGivesThePipelineWithTheSameIds(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("o200k_base.tiktoken");
    try (InputStream in = Encoding.class.getResourceAsStream("/com/knuddels/jtokkit/o200k_base.tiktoken")) {
      Files.copy(in, file);
    }
    Tokenizer pipeline = Tokenizers.load(file);
    List<String> texts = new ArrayList<>(TestCorpora.texts("/corpora/moby-dick.jsonl.gz", 20));
    Random rnd = new Random(TestCorpora.seed());
    for (int i = 0; i < 500; i++) {
      texts.add(SplitFuzz.wellFormed(SplitFuzz.tricky(rnd, 1 + rnd.nextInt(60))));
    }
    assertParity("o200k_base pipeline parity (reproduce with -Dtests.seed=" + TestCorpora.seed() + ")",
        jtokkit("o200k_base"), pipeline, texts);
  }

  @ParameterizedTest
  @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base"})
  void randomStrings(String encoding) {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String t = switch (i % 4) {
        case 0 -> SplitFuzz.tricky(rnd, 1 + rnd.nextInt(60));
        case 1 -> TestCorpora.randomText(rnd, 1 + rnd.nextInt(60));
        case 2 -> SplitFuzz.anyCodePoints(rnd, 1 + rnd.nextInt(30));
        default -> SplitFuzz.longWord(rnd, 100 + rnd.nextInt(3000));
      };
      texts.add(SplitFuzz.wellFormed(t));
    }
    texts.add(" ".repeat(1000) + "x\n \n  ");
    assertParity(encoding, "random (reproduce with -Dtests.seed=" + seed + ")", texts);
  }

  private static void assertParity(String encoding, String name, List<String> texts) {
    assertParity(encoding + " parity " + name, jtokkit(encoding), load(encoding), texts);
  }

  /** Ids of {@code tok} equal JTokkit's {@code encodeOrdinary} on every text, and decode gives the text back. */
  static void assertParity(String label, Encoding reference, Tokenizer tok, List<String> texts) {
    long tokens = 0;
    long chars = 0;
    int differing = 0;
    String firstDiff = null;
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      int[] expected = reference.encodeOrdinary(t).toArray();
      int[] actual = tok.encode(t);
      tokens += expected.length;
      chars += t.length();
      if (!Arrays.equals(expected, actual)) {
        differing++;
        if (firstDiff == null) {
          firstDiff = "text " + i + ": " + Gpt2PreTokenizerTest.escape(t.substring(0, Math.min(200, t.length())))
              + "\n expected " + Arrays.toString(Arrays.copyOf(expected, Math.min(40, expected.length)))
              + "\n actual   " + Arrays.toString(Arrays.copyOf(actual, Math.min(40, actual.length)));
        }
      }
      assertEquals(t, tok.decode(actual));
    }
    System.out.printf("%s: %d texts, %d chars, %d tokens, %d differing from JTokkit%n",
        label, texts.size(), chars, tokens, differing);
    assertEquals(0, differing, "first difference: " + firstDiff);
  }
}
