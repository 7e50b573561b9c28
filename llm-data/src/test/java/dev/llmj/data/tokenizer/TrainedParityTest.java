package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokenizers trained here, in both shapes open models use, save a {@code tokenizer.json} that
 * Hugging Face's library loads and encodes to the same ids as this library.
 */
class TrainedParityTest {
  @TempDir
  Path dir;

  private void assertSameInHuggingFace(String name, PipelineTokenizer tok) throws IOException {
    Path file = dir.resolve(name + ".json");
    tok.save(file);
    PipelineTokenizer back = Tokenizers.load(file);
    long seed = TestCorpora.seed();
    List<String> texts = HfParityTest.randomSample(new Random(seed), back, 300);
    texts.addAll(TestCorpora.sotu().subList(200, 204));
    try (HfReference ref = HfReference.load(file)) {
      HfParityTest.assertParity(name, back, ref, texts, "reproduce: -Dtests.seed=" + seed);
    }
    for (String t : texts.subList(0, 50)) {
      assertEquals(java.util.Arrays.toString(tok.encode(t, true)), java.util.Arrays.toString(back.encode(t, true)),
          "saved and loaded tokenizer encode alike");
    }
  }

  @Test
  void byteLevelWithLlama3Pattern() throws IOException {
    BpeTrainer trainer = new BpeTrainer(BpeTrainer.Config.of(1500).withPattern(BpeTrainer.LLAMA3_PATTERN)
        .withSpecialTokens(List.of("<|begin_of_text|>", "<|end_of_text|>")).withThreads(2));
    PipelineTokenizer tok = trainer.trainPipeline(TestCorpora.sotu().subList(0, 30).iterator());
    assertEquals(1500, tok.vocabSize());
    assertEquals(1499, tok.endOfTextId(), "<|end_of_text|>");
    String text = "The 1790s' 12345 taxes weren't 'low'.\n\n  Indeed!";
    assertEquals(text, tok.decode(tok.encode(text)));
    assertSameInHuggingFace("bytelevel-llama3", tok);
  }

  @Test
  void endOfTextFromTokenizerConfigWhenNoUsualNameExists() throws IOException {
    PipelineTokenizer tok = new BpeTrainer(BpeTrainer.Config.metaspace(400)
        .withSpecialTokens(List.of("<unk>", "<bos>", "<eot>")).withThreads(1))
        .trainPipeline(TestCorpora.sotu().subList(0, 2).iterator());
    Path model = java.nio.file.Files.createDirectories(dir.resolve("model"));
    tok.save(model.resolve("tokenizer.json"));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> Tokenizers.load(model).endOfTextId());
    assertTrue(e.getMessage().contains("<eot>") && e.getMessage().contains("eos_token"), e.getMessage());
    java.nio.file.Files.writeString(model.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"<eot>\"}}");
    assertEquals(2, Tokenizers.load(model).endOfTextId());
    assertEquals(2, Tokenizers.load(model.resolve("tokenizer.json")).endOfTextId(), "the config beside the file counts too");
  }

  @Test
  void metaspaceWithByteFallback() throws IOException {
    PipelineTokenizer tok = new BpeTrainer(BpeTrainer.Config.metaspace(1200).withThreads(2))
        .trainPipeline(TestCorpora.sotu().subList(0, 30).iterator());
    assertEquals(1200, tok.vocabSize());
    assertEquals(List.of("<unk>", "<s>", "</s>"), tok.specialTokens());
    assertEquals(2, tok.endOfTextId());
    assertEquals(3 + 0x41, tok.tokenToId("<0x41>").getAsInt());
    // A character never seen in training is spelled in bytes, and decodes back.
    int[] ids = tok.encode("Senate \u4e2d");
    assertTrue(tok.idToToken(ids[ids.length - 1]).startsWith("<0x"), java.util.Arrays.toString(ids));
    assertEquals("Senate \u4e2d", tok.decode(ids));
    assertSameInHuggingFace("metaspace", tok);
  }
}
