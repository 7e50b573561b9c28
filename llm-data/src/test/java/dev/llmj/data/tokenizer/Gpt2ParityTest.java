package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The embedded GPT-2 files against JTokkit's r50k_base, an independent implementation built
 * from OpenAI's tiktoken data: ids must be identical on every text.
 */
class Gpt2ParityTest {
  private static final Encoding R50K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
  private final BpeTokenizer gpt2 = Tokenizers.gpt2();

  @Test
  void knownIds() {
    assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world"));
    assertEquals(50257, gpt2.vocabSize());
    assertEquals(50256, gpt2.endOfTextId());
    assertArrayEquals(new int[] {15496, 50256, 995}, gpt2.encode("Hello<|endoftext|> world", true));
    assertEquals("Hello<|endoftext|> world", gpt2.decode(new int[] {15496, 50256, 995}));
  }

  @Test
  void sotuDocuments() {
    assertParity("sotu", TestCorpora.sotu());
  }

  @Test
  void mobyDickChapters() {
    assertParity("moby-dick", TestCorpora.texts("/corpora/moby-dick.jsonl.gz", Integer.MAX_VALUE));
  }

  @Test
  void spamAssassinMails() {
    List<String> mails = new ArrayList<>();
    mails.addAll(TestCorpora.texts("/corpora/spamassassin-spam-2.jsonl.gz", 150));
    mails.addAll(TestCorpora.texts("/corpora/spamassassin-hard-ham-1.jsonl.gz", 150));
    assertParity("spamassassin", mails);
  }

  @Test
  void randomStrings() {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      texts.add(TestCorpora.randomText(rnd, 1 + rnd.nextInt(80)));
    }
    StringBuilder longWord = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      longWord.append((char) ('a' + rnd.nextInt(3)));
    }
    texts.add(longWord.toString());
    texts.add("a".repeat(3000));
    texts.add(" ".repeat(1000) + "x");
    assertParity("random (reproduce with -Dtests.seed=" + seed + ")", texts);
  }

  private void assertParity(String name, List<String> texts) {
    TiktokenParityTest.assertParity("GPT-2 parity " + name + " (JTokkit r50k_base)", R50K, gpt2, texts);
  }
}
