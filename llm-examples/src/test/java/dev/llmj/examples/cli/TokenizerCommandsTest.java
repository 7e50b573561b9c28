package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.shard.ShardIndex;
import dev.llmj.data.shard.ShardReader;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The issue-2 commands, run in-process and checked against the library called directly. */
class TokenizerCommandsTest {

  @TempDir Path dir;

  /** Runs the tool and returns {exit code, stdout, stderr}. */
  static Object[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Llm.run(args);
      return new Object[] {code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void encodePrintsGpt2IdsPerLineAndCounts() throws Exception {
    List<String> lines = List.of("Hello world", "", "  two spaces\tand a tab", "caf\u00e9 \ud83d\ude00 \u4e2d\u6587",
        "it's <|endoftext|> text", "\r");
    Path in = dir.resolve("lines.txt.gz");
    try (var gz = new GZIPOutputStream(Files.newOutputStream(in))) {
      gz.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }
    Path gpt2 = dir.resolve("gpt2");
    Files.createDirectories(gpt2);
    for (String f : List.of("encoder.json", "vocab.bpe")) {
      try (var s = BpeTokenizer.class.getResourceAsStream("/dev/llmj/data/tokenizer/gpt2/" + f)) {
        Files.copy(s, gpt2.resolve(f));
      }
    }
    Object[] r = run("tokenizer", "encode", "--tokenizer", gpt2.toString(), "--input", in.toString());
    assertEquals(0, r[0], (String) r[2]);
    String[] got = ((String) r[1]).split("\n", -1);
    BpeTokenizer ref = Tokenizers.gpt2();
    long total = 0;
    for (int i = 0; i < lines.size(); i++) {
      // A lone "\r" line is what readLine leaves of "\r\n"-less input: the tool strips only line ends.
      String line = lines.get(i).equals("\r") ? "" : lines.get(i);
      int[] expected = ref.encode(line, true); // special tokens in the text are recognised, as in Hugging Face
      total += expected.length;
      int[] actual = got[i].isEmpty() ? new int[0] : Arrays.stream(got[i].split(" ")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(expected, actual, "line " + i + ": " + line);
    }
    assertEquals(15496, Integer.parseInt(got[0].split(" ")[0]));
    Object[] c = run("tokenizer", "encode", "--tokenizer", gpt2.toString(), "--input", in.toString(), "--count");
    assertEquals(total + "\n", c[1]);
  }

  @Test
  void trainThenTokenizeWritesShardsThatDecodeToTheCorpus() throws Exception {
    Path corpus = EmbeddedCorpus.SOTU.copyTo(dir);
    Path tokJson = dir.resolve("tok.json");
    Object[] t = run("tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "600", "--output", tokJson.toString());
    assertEquals(0, t[0], (String) t[2]);
    Tokenizer tok = Tokenizers.load(tokJson);
    assertEquals(600, tok.vocabSize());

    Path shards = dir.resolve("shards");
    Object[] s = run("tokenize", "--tokenizer", tokJson.toString(), "--input", corpus.toString(), "--output",
        shards.toString(), "--threads", "2", "--shard-tokens", "1000000");
    assertEquals(0, s[0], (String) s[2]);
    ShardIndex index = ShardIndex.read(shards);
    assertEquals(233, index.totalDocuments());
    assertTrue(index.shards().size() > 1, "several shards of 1M tokens");
    // The first document decodes back from the shard stream, up to its end-of-text token.
    ShardReader first = ShardReader.open(index.files(shards).get(0));
    int[] head = first.read(0, 5000);
    int eot = tok.endOfTextId();
    int end = 0;
    while (end < head.length && head[end] != eot) {
      end++;
    }
    String decoded = tok.decode(Arrays.copyOf(head, end));
    String firstText;
    try (var docs = dev.llmj.data.io.Corpus.read(corpus)) {
      firstText = docs.next().text();
    }
    assertEquals(firstText, decoded, "the first document decodes back exactly from the shards");
  }

  @Test
  void metaspaceModelFolderEncodesWithItsTemplateAndTokenizesWithItsEndOfText() throws Exception {
    Path corpus = EmbeddedCorpus.SOTU.copyTo(dir);
    Path model = Files.createDirectories(dir.resolve("model"));
    Path json = model.resolve("tokenizer.json");
    Object[] t = run("tokenizer", "train", "--input", corpus.toString(), "--vocab-size", "800", "--style", "METASPACE",
        "--output", json.toString());
    assertEquals(0, t[0], (String) t[2]);
    // Llama 2's post-processor: <s> before the text when special tokens are added.
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json.toFile());
    root.set("post_processor", mapper.readTree("{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":"
        + "{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":"
        + "{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":"
        + "{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}"));
    mapper.writeValue(json.toFile(), root);
    Tokenizer tok = Tokenizers.load(model);

    List<String> lines = List.of("Fellow citizens", "", "a </s> b  c", "\u4e2d\u6587");
    Path in = dir.resolve("lines.txt");
    Files.write(in, lines, StandardCharsets.UTF_8);
    for (boolean add : new boolean[] {false, true}) {
      Object[] r = add ? run("tokenizer", "encode", "--tokenizer", model.toString(), "--input", in.toString(), "--add-special-tokens")
          : run("tokenizer", "encode", "--tokenizer", model.toString(), "--input", in.toString());
      assertEquals(0, r[0], (String) r[2]);
      String[] got = ((String) r[1]).split("\n", -1);
      for (int i = 0; i < lines.size(); i++) {
        int[] expected = add ? tok.encodeWithSpecialTokens(lines.get(i)) : tok.encode(lines.get(i), true);
        int[] actual = got[i].isEmpty() ? new int[0] : Arrays.stream(got[i].split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(expected, actual, "add=" + add + ", line " + i);
        assertEquals(add, actual.length > 0 && actual[0] == 1, "<s> first exactly when special tokens are added");
      }
    }

    Path shards = dir.resolve("shards");
    Object[] s = run("tokenize", "--tokenizer", model.toString(), "--input", corpus.toString(), "--output",
        shards.toString(), "--threads", "2");
    assertEquals(0, s[0], (String) s[2]);
    ShardIndex index = ShardIndex.read(shards);
    String firstText;
    try (var docs = dev.llmj.data.io.Corpus.read(corpus)) {
      firstText = docs.next().text();
    }
    int[] first = tok.encode(firstText);
    int[] head = ShardReader.open(index.files(shards).get(0)).read(0, first.length + 1);
    assertArrayEquals(first, Arrays.copyOf(head, first.length), "the first document's ids");
    assertEquals(2, head[first.length], "each document ends with the model's own </s>");
  }

  @Test
  void badUsageExitsWithTwoAndOneLine() {
    Object[] r = run("tokenizer", "encode", "--tokenizer", dir.resolve("none").toString(), "--input", "x.txt");
    assertEquals(Llm.EXIT_USAGE, r[0]);
    assertTrue(((String) r[2]).contains("none"), (String) r[2]);
    Object[] v = run("tokenizer", "train", "--input", "x.txt", "--vocab-size", "10", "--output", "y.json");
    assertEquals(Llm.EXIT_USAGE, v[0]);
    Object[] u = run("tokenize", "--bogus");
    assertEquals(Llm.EXIT_USAGE, u[0]);
  }
}
