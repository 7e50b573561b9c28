package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split scanners inside byte-level pipelines against Hugging Face's library (Oniguruma
 * regular expressions), the reference for what a {@code tokenizer.json} means: the Llama 3,
 * o200k and Qwen2 patterns, and DeepSeek V3's three splits in sequence, on the scanner fuzz
 * strings (long s, supplementary digits, unassigned code points, CR LF runs) and random text.
 */
class ScannerHfParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ObjectNode base;

  @TempDir Path dir;

  @BeforeAll
  static void vocabulary() throws IOException {
    Path g = Files.createTempFile("bytelevel", ".json");
    new BpeTrainer(BpeTrainer.Config.of(1500).withThreads(1)).train(TestCorpora.sotu().subList(0, 10).iterator()).save(g);
    base = (ObjectNode) JSON.readTree(g.toFile());
    Files.delete(g);
  }

  private void compare(String name, String... splits) throws IOException {
    ObjectNode root = base.deepCopy();
    ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
    ArrayNode list = pre.putArray("pretokenizers");
    for (String regex : splits) {
      assertEquals(false, PreTokenizer.forPattern(regex) instanceof RegexPreTokenizer, "no scanner for " + regex);
      ObjectNode split = list.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false);
      split.putObject("pattern").put("Regex", regex);
    }
    list.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false)
        .put("use_regex", false);
    Path file = dir.resolve(name + ".json");
    JSON.writeValue(file.toFile(), root);
    Tokenizer tok = Tokenizers.load(file);
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      texts.add(SplitFuzz.wellFormed(switch (i % 3) {
        case 0 -> SplitFuzz.tricky(rnd, 1 + rnd.nextInt(60));
        case 1 -> TestCorpora.randomText(rnd, 1 + rnd.nextInt(40));
        default -> SplitFuzz.anyCodePoints(rnd, 1 + rnd.nextInt(30));
      }));
    }
    texts.add("東京タワー2024年は12345円 HTTPServer's x\r\n\r\n  y .NET .com");
    long ids = 0;
    try (HfReference ref = HfReference.load(file)) {
      for (String t : texts) {
        int[] expected = ref.encode(t, false);
        int[] actual = tok.encode(t, true); // Hugging Face finds added tokens in the text
        ids += expected.length;
        assertEquals(Arrays.toString(expected), Arrays.toString(actual),
            () -> name + ": text " + Gpt2PreTokenizerTest.escape(t) + "; reproduce with -Dtests.seed=" + seed);
      }
    }
    System.out.printf("%s scanners vs Hugging Face: %d texts, %d ids, 0 differences (seed %d)%n",
        name, texts.size(), ids, seed);
  }

  @Test
  void llama3() throws IOException {
    compare("llama3", Cl100kPreTokenizer.LLAMA3);
  }

  @Test
  void o200k() throws IOException {
    compare("o200k", O200kPreTokenizer.PATTERN);
  }

  @Test
  void qwen2() throws IOException {
    compare("qwen2", Cl100kPreTokenizer.QWEN2);
  }

  @Test
  void deepSeekV3() throws IOException {
    compare("deepseek-v3", DeepSeekPreTokenizer.DIGITS, DeepSeekPreTokenizer.CJK, DeepSeekPreTokenizer.WORDS);
  }
}
