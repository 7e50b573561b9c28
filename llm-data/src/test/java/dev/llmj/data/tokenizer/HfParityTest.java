package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two real model files (Qwen3: byte-level BPE with a Unicode split regex; Llama 2:
 * SentencePiece-style BPE with byte fallback and a BOS template) give Hugging Face's ids, with and
 * without special tokens, and decode to Hugging Face's text, on the embedded corpora and on
 * seeded random strings. Reproduce a random failure with {@code -Dtests.seed=N}.
 */
class HfParityTest {
  static PipelineTokenizer qwen;
  static PipelineTokenizer llama;
  static HfReference qwenRef;
  static HfReference llamaRef;

  static Path resource(String name) {
    try {
      return Path.of(HfParityTest.class.getResource("/tokenizers/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void load() throws Exception {
    qwen = Tokenizers.load(resource("qwen3"));
    llama = Tokenizers.load(resource("llama2-sp/tokenizer.json.gz"));
    qwenRef = HfReference.load(resource("qwen3"));
    llamaRef = HfReference.load(resource("llama2-sp"));
  }

  @AfterAll
  static void close() {
    qwenRef.close();
    llamaRef.close();
  }

  /** Paragraphs of the embedded corpora: every {@code step}-th document, split at blank lines. */
  static List<String> corpusSample(int step, int maxChars) {
    List<String> out = new ArrayList<>();
    List<List<String>> corpora = List.of(TestCorpora.sotu(),
        TestCorpora.texts("/corpora/moby-dick.jsonl.gz", 200),
        TestCorpora.texts("/corpora/spamassassin-spam-1.jsonl.gz", 200),
        TestCorpora.texts("/corpora/spamassassin-hard-ham-1.jsonl.gz", 200));
    for (List<String> docs : corpora) {
      for (int i = 0; i < docs.size(); i += step) {
        String d = docs.get(i);
        out.add(d.length() > maxChars ? d.substring(0, maxChars) : d);
      }
    }
    return out;
  }

  /** Random text with the pipeline's own added tokens and very long words mixed in. */
  static List<String> randomSample(Random rnd, Tokenizer tok, int n) {
    List<String> specials = new ArrayList<>(tok.specialTokens());
    specials.addAll(List.of("<s>", "</s>", "<unk>", "<|endoftext|>", "<|im_start|>", "<0x41>", "\u2581"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder(TestCorpora.randomText(rnd, 1 + rnd.nextInt(40)));
      if (rnd.nextInt(3) == 0) {
        int at = rnd.nextInt(b.length() + 1);
        if (at > 0 && at < b.length() && Character.isLowSurrogate(b.charAt(at))) {
          at--; // never between the halves of a surrogate pair
        }
        b.insert(at, specials.get(rnd.nextInt(specials.size())));
      }
      if (rnd.nextInt(10) == 0) {
        b.append(" ").append(TestCorpora.randomAsciiWord(rnd).repeat(50 + rnd.nextInt(200)));
      }
      if (rnd.nextInt(10) == 0) {
        b.append("\ud83d\udc69\ud83c\udffd\u200d\ud83d\udcbb\ud83d\udc4d\ud83c\udfff  \u00e9\u0301\u0327");
      }
      out.add(b.toString());
    }
    out.addAll(List.of("", " ", "  ", "\n", "a", " a", "<s>", " <s> ", "<s><s>", "Hello</s>world",
        "<|endoftext|>", "x<|im_end|>\n", "\u2581\u2581x", "I'm", "don'T", "'S"));
    return out;
  }

  /**
   * Compares every text: encode with and without special tokens, the plain-text encode where
   * Hugging Face found no special token, and decode with and without skipping special tokens.
   */
  static void assertParity(String name, PipelineTokenizer tok, HfReference ref, List<String> texts, String reproduce) {
    long ids = 0;
    for (String t : texts) {
      int[] expected = ref.encode(t, false);
      int[] actual = tok.encode(t, true);
      check(name, "encode(add_special_tokens=False)", t, expected, actual, reproduce);
      check(name, "encode(add_special_tokens=True)", t, ref.encode(t, true), tok.encodeWithSpecialTokens(t), reproduce);
      if (Arrays.stream(expected).noneMatch(id -> tok.specialTokens().contains(tok.idToToken(id)))) {
        check(name, "encode with special tokens as text", t, expected, tok.encode(t), reproduce);
      }
      for (boolean skip : new boolean[] {false, true}) {
        String hfText = ref.decode(expected, skip);
        String ours = tok.decode(expected, skip);
        if (!hfText.equals(ours)) {
          fail(name + ": decode(skip_special_tokens=" + skip + ") of " + Arrays.toString(expected) + " (from "
              + quote(t) + ")\n  hf:   " + quote(hfText) + "\n  ours: " + quote(ours) + "\n" + reproduce);
        }
      }
      ids += expected.length;
    }
    System.out.printf("%s: %d texts, %d ids equal to Hugging Face's (encode with/without special tokens, decode)%n",
        name, texts.size(), ids);
  }

  static void check(String name, String what, String text, int[] expected, int[] actual, String reproduce) {
    if (!Arrays.equals(expected, actual)) {
      int at = Arrays.mismatch(expected, actual);
      fail(name + ": " + what + " differs at index " + at + " for " + quote(text) + "\n  hf:   "
          + Arrays.toString(Arrays.copyOfRange(expected, Math.max(0, at - 3), Math.min(expected.length, at + 5)))
          + "\n  ours: " + Arrays.toString(Arrays.copyOfRange(actual, Math.max(0, at - 3), Math.min(actual.length, at + 5)))
          + "\n" + reproduce);
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    String shown = s.length() > 300 ? s.substring(0, 300) + "..." : s;
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || Character.isSurrogate(c) || c == '"') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Test
  void qwen3OnCorpora() {
    assertParity("qwen3 corpora", qwen, qwenRef, corpusSample(12, 20_000), "");
  }

  @Test
  void llama2OnCorpora() {
    assertParity("llama2 corpora", llama, llamaRef, corpusSample(12, 20_000), "");
  }

  @Test
  void qwen3OnRandomText() {
    long seed = TestCorpora.seed();
    assertParity("qwen3 random", qwen, qwenRef, randomSample(new Random(seed), qwen, 1500),
        "reproduce: -Dtests.seed=" + seed);
  }

  @Test
  void llama2OnRandomText() {
    long seed = TestCorpora.seed();
    assertParity("llama2 random", llama, llamaRef, randomSample(new Random(seed), llama, 1500),
        "reproduce: -Dtests.seed=" + seed);
  }

  @Test
  void pairsFollowTheTemplate() {
    String[][] pairs = {{"Question?", "Answer."}, {"", "x"}, {" a ", "<s>b"}, {"\u4e2d\u6587", "\ud83d\ude00"}};
    for (String[] p : pairs) {
      for (boolean add : new boolean[] {false, true}) {
        check("llama2", "pair add=" + add, p[0] + " | " + p[1], llamaRef.encodePair(p[0], p[1], add),
            llama.encodePair(p[0], p[1], add), "");
        check("qwen3", "pair add=" + add, p[0] + " | " + p[1], qwenRef.encodePair(p[0], p[1], add),
            qwen.encodePair(p[0], p[1], add), "");
      }
    }
  }

  /** Byte-level BPE straight from UTF-8 bytes equals the general path (pieces spelled in characters). */
  @Test
  void byteLevelFastPathEqualsGeneralPath(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode root;
    try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(resource("qwen3/tokenizer.json.gz")))) {
      root = (com.fasterxml.jackson.databind.node.ObjectNode) HfComponentsTest.JSON.readTree(in);
    }
    // One more Sequence level means the same pipeline but hides the byte-level shape.
    com.fasterxml.jackson.databind.node.ObjectNode wrapped = HfComponentsTest.node("{'type':'Sequence'}");
    wrapped.putArray("pretokenizers").add(root.get("pre_tokenizer"));
    root.set("pre_tokenizer", wrapped);
    Path file = dir.resolve("general.json");
    HfComponentsTest.JSON.writeValue(file.toFile(), root);
    PipelineTokenizer general = Tokenizers.load(file);
    long seed = TestCorpora.seed();
    List<String> texts = randomSample(new Random(seed), qwen, 500);
    texts.addAll(corpusSample(30, 10_000));
    for (String t : texts) {
      check("qwen3", "fast path vs general path", t, general.encode(t, true), qwen.encode(t, true),
          "reproduce: -Dtests.seed=" + seed);
    }
    System.out.println("byte-level fast path == general path on " + texts.size() + " texts (seed " + seed + ")");
  }

  @Test
  void batchAndStreamingEqualSequential() {
    List<String> docs = corpusSample(40, 5_000);
    List<int[]> batch = llama.encodeBatch(docs);
    List<int[]> streamed = new ArrayList<>();
    qwen.encodeAll(docs.iterator(), 3, streamed::add);
    for (int i = 0; i < docs.size(); i++) {
      check("llama2", "encodeBatch", docs.get(i), llama.encode(docs.get(i)), batch.get(i), "");
      check("qwen3", "encodeAll", docs.get(i), qwen.encode(docs.get(i)), streamed.get(i), "");
    }
  }

  @Test
  void endOfTextIsTheModelsOwn() {
    assertEquals(151643, qwen.endOfTextId()); // <|endoftext|>
    assertEquals(2, llama.endOfTextId()); // </s>
  }
}
