package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFormatsTest {
  @TempDir Path dir;

  private Path copyGpt2Files() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("gpt2"));
    for (String name : List.of("encoder.json", "vocab.bpe")) {
      try (InputStream in = getClass().getResourceAsStream("/dev/llmj/data/tokenizer/gpt2/" + name)) {
        Files.copy(in, folder.resolve(name));
      }
    }
    return folder;
  }

  private static void assertSameEncodings(Tokenizer a, Tokenizer b) {
    assertEquals(a.vocabSize(), b.vocabSize());
    assertEquals(a.specialTokens(), b.specialTokens());
    for (String d : TestCorpora.sotu().subList(0, 30)) {
      assertArrayEquals(a.encode(d), b.encode(d));
    }
    assertArrayEquals(a.encode("x<|endoftext|>y", true), b.encode("x<|endoftext|>y", true));
  }

  @Test
  void gpt2FolderEqualsEmbedded() throws IOException {
    assertSameEncodings(Tokenizers.gpt2(), Tokenizers.load(copyGpt2Files()));
  }

  @Test
  void saveLoadRoundTripsAndIsStable() throws IOException {
    Path first = dir.resolve("a.json");
    Tokenizers.gpt2().save(first);
    PipelineTokenizer loaded = Tokenizers.load(first);
    assertSameEncodings(Tokenizers.gpt2(), loaded);
    Path second = Files.createDirectories(dir.resolve("folder")).resolve("tokenizer.json");
    loaded.save(second);
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "save(load(x)) != x");
    assertSameEncodings(loaded, Tokenizers.load(second.getParent()));
  }

  @Test
  void acceptsMergesAsPairs() throws IOException {
    Path file = dir.resolve("t.json");
    Tokenizers.gpt2().save(file);
    // Rewrite every "a b" merge string as ["a", "b"], as newer Hugging Face versions write them.
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(file.toFile());
    com.fasterxml.jackson.databind.node.ArrayNode merges = (com.fasterxml.jackson.databind.node.ArrayNode) root.path("model").path("merges");
    for (int i = 0; i < merges.size(); i++) {
      String[] parts = merges.get(i).asText().split(" ");
      merges.set(i, json.createArrayNode().add(parts[0]).add(parts[1]));
    }
    json.writeValue(file.toFile(), root);
    assertSameEncodings(Tokenizers.gpt2(), Tokenizers.load(file));
  }

  @Test
  void trainedTokenizerWithCustomPatternRoundTrips() throws IOException {
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(600).withPattern("\\p{L}+|\\p{N}|\\s+|.")
        .withSpecialTokens(List.of("<|endoftext|>", "<|pad|>"))).train(TestCorpora.sotu().subList(0, 5).iterator());
    Path file = dir.resolve("custom.json");
    tok.save(file);
    Tokenizer back = Tokenizers.load(file);
    assertSameEncodings(tok, back);
    assertEquals(599, back.specialTokenId("<|pad|>").getAsInt());
  }

  private IllegalArgumentException loadFails(String fileName, String content) throws IOException {
    Path file = dir.resolve(fileName);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    System.out.println("rejected: " + e.getMessage());
    return e;
  }

  private static String withVocabAndMerges(String vocabExtra, String merges) {
    StringBuilder v = new StringBuilder();
    for (int b = 0; b < 256; b++) {
      v.append(b == 0 ? "" : ",").append('"').append(escapeJson(ByteLevel.toText(new byte[] {(byte) b})))
          .append("\":").append(b);
    }
    return "{\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false},\"decoder\":{\"type\":\"ByteLevel\"},"
        + "\"model\":{\"type\":\"BPE\",\"vocab\":{" + v + vocabExtra + "},\"merges\":[" + merges + "]}}";
  }

  private static String escapeJson(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Test
  void rejectsBadTokenizerJson() throws IOException {
    String good = withVocabAndMerges(",\"ab\":256", "\"a b\"");
    Path ok = dir.resolve("ok.json");
    Files.writeString(ok, good);
    assertArrayEquals(new int[] {256, 256}, Tokenizers.load(ok).encode("abab"));

    IllegalArgumentException e = loadFails("truncated.json", good.substring(0, good.length() / 2));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    loadFails("garbage.json", "{\"model\": [1, 2,,]}");
    e = loadFails("three.json", withVocabAndMerges(",\"ab\":256", "\"a b c\""));
    assertTrue(e.getMessage().contains("model.merges[0]"), e.getMessage());
    e = loadFails("missing.json", withVocabAndMerges(",\"ab\":256", "\"a b\",\"ab zz\""));
    assertTrue(e.getMessage().contains("model.merges[1]") && e.getMessage().contains("\"zz\""), e.getMessage());
    e = loadFails("dupid.json", withVocabAndMerges(",\"ab\":256,\"cd\":256", ""));
    assertTrue(e.getMessage().contains("id 256"), e.getMessage());
    e = loadFails("dupkey.json", withVocabAndMerges(",\"ab\":256,\"ab\":257", ""));
    assertTrue(e.getMessage().contains("ab"), e.getMessage());
    // As in Hugging Face, a character without a token (and no unk_token or byte fallback) is dropped.
    Path nobytes = dir.resolve("nobytes.json");
    Files.writeString(nobytes, withVocabAndMerges("", "").replace(",\"!\":33", ""));
    assertArrayEquals(new int[] {97, 97}, Tokenizers.load(nobytes).encode("a!a"));
    e = loadFails("badid.json", withVocabAndMerges(",\"ab\":\"x\"", ""));
    assertTrue(e.getMessage().contains("model.vocab[\"ab\"]"), e.getMessage());
    Path unsupported = dir.resolve("wordpiece.json");
    Files.writeString(unsupported, good.replace("\"type\":\"BPE\"", "\"type\":\"WordPiece\""));
    assertThrows(UnsupportedOperationException.class, () -> Tokenizers.load(unsupported));
  }

  @Test
  void rejectsBadGpt2Files() throws IOException {
    Path folder = copyGpt2Files();
    List<String> lines = Files.readAllLines(folder.resolve("vocab.bpe"));
    lines.set(17, lines.get(17) + " extra");
    Files.write(folder.resolve("vocab.bpe"), lines);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(folder));
    assertTrue(e.getMessage().contains("vocab.bpe line 18") && e.getMessage().contains("got 3"), e.getMessage());
    lines.set(17, "Ġ qqqqzzzz");
    Files.write(folder.resolve("vocab.bpe"), lines);
    e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(folder));
    assertTrue(e.getMessage().contains("line 18") && e.getMessage().contains("qqqqzzzz"), e.getMessage());
    System.out.println("rejected: " + e.getMessage());
    Files.delete(folder.resolve("vocab.bpe"));
    e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(folder));
    assertTrue(e.getMessage().contains("encoder.json + vocab.bpe"), e.getMessage());
  }
}
