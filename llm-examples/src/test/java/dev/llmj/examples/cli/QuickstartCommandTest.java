package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.shard.ShardIndex;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command on tiny settings, so it never rots: every stage leaves its output. */
class QuickstartCommandTest {

  @TempDir Path dir;

  @Test
  void runsEveryStageIntoOneRunFolder() throws Exception {
    Path run = dir.resolve("run");
    Object[] r = TokenizerCommandsTest.run("quickstart", "--output", run.toString(), "--minutes", "0.05",
        "--vocab-size", "512", "--layers", "1", "--heads", "2", "--d-model", "16", "--seq-len", "16", "--batch", "4");
    assertEquals(0, r[0], (String) r[2]);
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertEquals(233, summary.get("data").get("documents_read").asLong());
    assertEquals(512, Tokenizers.load(run.resolve("tokenizer.json")).vocabSize());
    assertEquals(summary.get("tokens").asLong(), ShardIndex.read(run.resolve("shards")).totalTokens());
    JsonNode eval = summary.get("evaluation");
    double unigram = eval.get("unigram_loss").asDouble();
    // A unigram model of a 512-id vocabulary sits between 0 and ln(512).
    assertTrue(unigram > 3 && unigram < Math.log(512), "unigram " + unigram);
    assertTrue(Double.isFinite(eval.get("val_loss").asDouble()));
    assertTrue(eval.get("steps").asLong() >= 10);
    assertEquals(3, summary.get("samples").size());
    assertTrue(Files.readAllLines(run.resolve("metrics.jsonl")).size() >= 10);
    assertTrue(Files.list(run.resolve("checkpoints")).anyMatch(p -> p.getFileName().toString().startsWith("step-")));
    assertTrue(((String) r[1]).startsWith("val_loss="), (String) r[1]);
    // The report: a PNG that decodes to the chart's size, inlined into one HTML page with the samples.
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(run.resolve("loss.png").toFile());
    assertEquals(900, png.getWidth());
    assertEquals(480, png.getHeight());
    String html = Files.readString(run.resolve("report.html"));
    assertTrue(html.contains("data:image/png;base64,"), "PNG inlined");
    assertTrue(html.contains("The state of the Union is"), "samples shown");
    assertTrue(html.contains(String.format(java.util.Locale.ROOT, "%.3f", unigram)), "baseline shown");
    assertTrue(!html.contains("src=\"http") && !html.contains("<link"), "self-contained");
    // report RUN_DIR rebuilds it.
    Files.delete(run.resolve("report.html"));
    assertEquals(0, TokenizerCommandsTest.run("report", run.toString())[0]);
    assertTrue(Files.exists(run.resolve("report.html")));
  }

  @Test
  void refusesANonEmptyRunFolder() throws Exception {
    Files.writeString(dir.resolve("x"), "x");
    Object[] r = TokenizerCommandsTest.run("quickstart", "--output", dir.toString());
    assertEquals(Llm.EXIT_USAGE, r[0]);
  }
}
