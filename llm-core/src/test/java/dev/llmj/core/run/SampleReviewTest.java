package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SampleReview} as a library call on a tiny random model: each line of samples.jsonl is what
 * {@link LanguageModel#generate} gives for that prompt and the recorded seed, and the sheet shows every sample.
 */
class SampleReviewTest {
  static final long SEED = Long.getLong("tests.seed", 7L);

  @TempDir Path dir;

  @Test
  void everyLineIsTheModelsContinuationUnderItsOwnSeed() throws Exception {
    System.out.println("model seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300)).train(Stream.of(
        "Fellow citizens of the Senate and House of Representatives: the state of the Union is strong."));
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, tok.vocabSize(), 32, 1, 2, 16), SEED);
    Path file = dir.resolve("prompts.txt");
    Files.writeString(file, "The state\n\n  \nFellow citizens\n");
    List<SampleReview.Prompt> prompts = SampleReview.readPrompts(file);
    assertEquals(List.of(new SampleReview.Prompt("The state", file + ":1"),
        new SampleReview.Prompt("Fellow citizens", file + ":4")), prompts);
    int eot = tok.endOfTextId();
    GenerationConfig settings = new GenerationConfig(6, 0.9, 0, 1.0, 1.0, new int[] {eot}, 41);
    Path out = dir.resolve("review");
    SampleReview.Result r = SampleReview.write(out, lm, tok, prompts, 2, settings, "tiny", "tok");
    List<String> lines = Files.readAllLines(r.samplesFile(), StandardCharsets.UTF_8);
    assertEquals(4, lines.size());
    assertEquals(4, r.samples().size());
    String html = Files.readString(r.sheet());
    for (int k = 0; k < 4; k++) {
      JsonNode x = new ObjectMapper().readTree(lines.get(k));
      int i = k / 2, j = k % 2;
      long seed = x.path("seed").asLong();
      assertEquals(SampleReview.sampleSeed(41, i, j), seed);
      int[] ids = tok.encode(prompts.get(i).text());
      int[] fresh = Arrays.copyOfRange(lm.generate(ids, settings.withSeed(seed), null), ids.length, 6 + ids.length);
      int n = fresh.length > 0 && fresh[fresh.length - 1] == eot ? fresh.length - 1 : fresh.length;
      assertEquals(tok.decode(Arrays.copyOf(fresh, n)), x.path("completion").asText(), "prompt " + i + " sample " + j);
      assertEquals(r.samples().get(k).completion(), x.path("completion").asText());
      assertTrue(html.contains("seed " + seed), "sheet shows sample " + k);
    }
    assertEquals(41, SampleReview.sampleSeed(41, 0, 0), "sample (0, 0) keeps the base seed");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SampleReview.write(out, lm, tok, prompts, 1, settings, "tiny", "tok"));
    assertTrue(e.getMessage().contains("already holds"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SampleReview.encode(
        new SampleReview.Prompt("word ".repeat(40), "p:9"), tok, lm, 6));
    assertTrue(e.getMessage().startsWith("p:9: the prompt is "), e.getMessage());
    assertArrayEquals(new int[] {eot}, SampleReview.encode(new SampleReview.Prompt("", "p:1"), tok, lm, 6));
  }
}
