package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anything a {@code tokenizer.json} may hold that this library does not implement fails at load,
 * naming the file, the JSON path, the value and the supported ones; so do malformed values.
 */
class TokenizerJsonErrorsTest {
  @TempDir
  Path dir;

  @BeforeAll
  static void bases() throws IOException {
    HfComponentsTest.bases();
  }

  private RuntimeException fails(Class<? extends RuntimeException> type, Consumer<ObjectNode> edit, String... expected)
      throws IOException {
    ObjectNode root = HfComponentsTest.llama.deepCopy();
    edit.accept(root);
    Path file = dir.resolve("t" + System.nanoTime() + ".json");
    HfComponentsTest.JSON.writeValue(file.toFile(), root);
    RuntimeException e = assertThrows(type, () -> Tokenizers.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), "message should contain " + s + ": " + e.getMessage());
    }
    System.out.println("rejected: " + e.getMessage().substring(e.getMessage().indexOf(".json") + 7));
    return e;
  }

  private static ObjectNode model(ObjectNode root) {
    return (ObjectNode) root.get("model");
  }

  @Test
  void unsupportedComponentsNameTheirPathAndTheSupportedOnes() throws IOException {
    Class<UnsupportedOperationException> u = UnsupportedOperationException.class;
    fails(u, r -> model(r).put("type", "WordPiece"), "model.type", "WordPiece", "BPE, Unigram");
    fails(u, r -> model(r).put("dropout", 0.1), "model.dropout", "0.1", "null");
    fails(u, r -> ((ObjectNode) r.get("normalizer").get("normalizers").get(1)).put("type", "BertNormalizer"),
        "normalizer.normalizers[1].type", "BertNormalizer", "NFKC", "Precompiled");
    fails(u, r -> r.set("pre_tokenizer", HfComponentsTest.node("{'type':'UnicodeScripts'}")),
        "pre_tokenizer.type", "UnicodeScripts", "Metaspace");
    fails(u, r -> r.set("pre_tokenizer", HfComponentsTest.node(
        "{'type':'Sequence','pretokenizers':[{'type':'Split','pattern':{'String':'x'},'behavior':'Sometimes','invert':false}]}")),
        "pre_tokenizer.pretokenizers[0].behavior", "Sometimes", "MergedWithNext");
    fails(u, r -> r.set("pre_tokenizer", HfComponentsTest.node(
        "{'type':'Metaspace','replacement':'_','prepend_scheme':'sometimes','split':true}")),
        "pre_tokenizer.prepend_scheme", "sometimes", "first, always, never");
    fails(u, r -> ((ObjectNode) r.get("decoder").get("decoders").get(2)).put("type", "CTC"),
        "decoder.decoders[2].type", "CTC", "ByteFallback");
    fails(u, r -> ((ObjectNode) r.get("post_processor")).put("type", "Whatever"),
        "post_processor.type", "Whatever", "TemplateProcessing");
    fails(u, r -> model(r).put("cache_capacity", 100), "model.cache_capacity", "supported: [byte_fallback");
    fails(u, r -> r.set("pre_tokenizer", HfComponentsTest.node("{'type':'ByteLevel','add_prefix_space':true,'unknown':1}")),
        "pre_tokenizer.unknown");
    fails(u, r -> ((ObjectNode) r.get("post_processor").get("single").get(1).get("Sequence")).put("id", "C"),
        "post_processor.single[1].Sequence.id", "A, B");
  }

  @Test
  void malformedValuesNameTheirPath() throws IOException {
    Class<IllegalArgumentException> bad = IllegalArgumentException.class;
    fails(bad, r -> r.set("pre_tokenizer", HfComponentsTest.node(
        "{'type':'Split','pattern':{'Regex':'(unclosed'},'behavior':'Isolated','invert':false}")),
        "pre_tokenizer.pattern.Regex", "(unclosed");
    fails(bad, r -> ((ObjectNode) r.get("post_processor").get("single").get(0).get("SpecialToken")).put("id", "<bos>"),
        "post_processor.single[0].SpecialToken.id", "<bos>");
    fails(bad, r -> ((ObjectNode) ((ArrayNode) r.get("added_tokens")).get(1)).remove("content"),
        "added_tokens[1].content");
    fails(bad, r -> ((ObjectNode) ((ArrayNode) r.get("added_tokens")).get(0)).put("lstrip", "yes"),
        "added_tokens[0].lstrip", "true or false");
    fails(bad, r -> ((ArrayNode) model(r).get("merges")).insert(0, "\u2581 nosuchtoken"),
        "model.merges[0]", "nosuchtoken");
    fails(bad, r -> r.set("model", HfComponentsTest.node("{'type':'Unigram','unk_id':5,'vocab':[['a',0.0]]}")),
        "model.unk_id", "5");
    fails(bad, r -> r.set("model", HfComponentsTest.node("{'type':'Unigram','unk_id':0,'vocab':[['a','high']]}")),
        "model.vocab[0]", "[\"piece\", score]");
    fails(bad, r -> r.set("pre_tokenizer", HfComponentsTest.node(
        "{'type':'Metaspace','replacement':'ab','prepend_scheme':'always','split':true}")),
        "pre_tokenizer.replacement", "ab");
    fails(bad, r -> r.set("model", HfComponentsTest.JSON.createArrayNode().add(1)), "model = [1]");
  }

  @Test
  void onigurumaSyntaxIsTranslated() {
    assertEquals("[0-9a-fA-F]+", SplitPattern.toJava("\\h+"));
    assertEquals("[^0-9a-fA-F]", SplitPattern.toJava("\\H"));
    assertEquals("[0-9a-fA-F_]", SplitPattern.toJava("[\\h_]"));
    assertEquals("[\\p{Alpha}\\d]", SplitPattern.toJava("[[:alpha:]\\d]"));
    assertEquals("\\\\h", SplitPattern.toJava("\\\\h")); // an escaped backslash, then a plain h
    String llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    assertEquals(llama3, SplitPattern.toJava(llama3), "the open models' patterns mean the same in Java");
    for (String s : List.of("a1F", "xyz", "_")) {
      assertEquals(s.matches("[0-9a-fA-F]+"), Pattern.compile(SplitPattern.toJava("\\h+")).matcher(s).matches(), s);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SplitPattern.toJava("[[:nope:]]"));
    assertTrue(e.getMessage().contains("[:nope:]") && e.getMessage().contains("alpha"), e.getMessage());
  }
}
