package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.shard.ShardWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Quickstart} as a library call: tiny settings, every stage's output, and the unigram baseline by hand. */
class QuickstartTest {

  @TempDir Path dir;

  @Test
  void runsEveryStageAndReturnsWhatSummaryJsonHolds() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Quickstart.Options options = Quickstart.Options.defaults(dir.resolve("run")).withMinutes(0.03)
        .withVocabSize(300).withModel(1, 2, 16).withBatch(16, 4);
    Quickstart.Result r = Quickstart.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    JsonNode eval = new ObjectMapper().readTree(r.runDir().resolve("summary.json").toFile()).get("evaluation");
    assertEquals(eval.get("val_loss").asDouble(), r.valLoss(), 0, text);
    assertEquals(eval.get("unigram_loss").asDouble(), r.unigramLoss(), 0);
    assertEquals(eval.get("bits_per_byte").asDouble(), r.bitsPerByte(), 0);
    assertEquals(eval.get("steps").asLong(), r.steps());
    assertEquals(eval.get("tokens").asLong(), r.tokens());
    assertEquals(Math.exp(r.valLoss()), r.perplexity(), 1e-9 * r.perplexity());
    assertTrue(r.steps() >= 10, "at least 10 steps whatever the budget: " + r.steps());
    assertEquals(r.steps() * 16 * 4, r.tokens());
    assertTrue(Files.exists(r.report()) && Files.exists(r.runDir().resolve("tokenizer.json")));
    for (String stage : new String[] {"1/6", "2/6", "3/6", "4/6", "5/6", "6/6"}) {
      assertTrue(text.contains("== " + stage), "stage " + stage + " logged:\n" + text);
    }
  }

  @Test
  void unigramBaselineMatchesTheCountsWorkedOutByHand() {
    Path shards = dir.resolve("shards");
    // 20 tokens, the last quarter held out: training 0 x10, 1 x5; validation 0, 0, 1, 2, 2
    int[] tokens = {0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 2, 2};
    try (ShardWriter w = ShardWriter.create(shards, ShardWriter.Config.of(4, 3))) {
      w.write(tokens, 0, tokens.length);
      w.finish();
    }
    // add-one counts over 4 ids: 11, 6, 1, 1 of 19
    double expected = (2 * Math.log(19 / 11.0) + Math.log(19 / 6.0) + 2 * Math.log(19)) / 5;
    assertEquals(expected, Quickstart.unigramBaseline(shards, 0.25), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Quickstart.unigramBaseline(shards, 1));
  }

  @Test
  void optionsAreCheckedBeforeAnyWork() throws Exception {
    Quickstart.Options ok = Quickstart.Options.defaults(dir);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ok.withMinutes(0));
    assertTrue(e.getMessage().contains("minutes=0.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ok.withModel(2, 3, 16));
    assertThrows(IllegalArgumentException.class, () -> ok.withVocabSize(100));
    Files.writeString(dir.resolve("x"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> Quickstart.run(ok, System.err));
    assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
  }
}
