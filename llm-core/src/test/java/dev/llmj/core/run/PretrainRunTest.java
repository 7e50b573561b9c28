package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.data.Document;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code llm pretrain}, {@code llm report} and the quick start's sizing do, as library calls. */
class PretrainRunTest {

  @TempDir Path dir;
  private ModelConfig model;

  @BeforeEach
  void shards() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      texts.add("the union is strong and the people are free, year " + i + ". ");
    }
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300).withThreads(1)).train(texts.iterator());
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      docs.add(new Document("d" + i, texts.get(i)));
    }
    TokenShards.write(docs.iterator(), tok, dir.resolve("shards"));
    model = ModelConfig.of(Architecture.GPT2, tok.vocabSize(), 16, 1, 2, 16);
  }

  private Path runFile(String extra) throws IOException {
    Path file = dir.resolve("run.json");
    Files.writeString(file, "{\"output\": \"" + dir.resolve("run") + "\","
        + "\"data\": {\"shards\": \"shards\", \"validation_fraction\": 0.1, \"epochs\": 50},"
        + "\"model\": {\"config\": " + model.toJson() + "},"
        + "\"init\": {\"type\": \"random\", \"seed\": 3}" + extra + ","
        + "\"train\": {\"max_steps\": 6, \"micro_batch\": 2, \"seq_len\": 16, \"checkpoint_every\": 3,"
        + " \"eval_every\": 3, \"eval_batches\": 2, \"threads\": 1, \"progress\": \"never\", \"warmup_steps\": 1}}");
    return file;
  }

  @Test
  void runsResumesToALargerBudgetAndReports() throws Exception {
    PretrainRun first = PretrainRun.read(runFile(""));
    assertEquals(dir.resolve("run"), first.output());
    TrainResult a = first.run();
    assertEquals(6, a.steps());
    Path run = first.output();
    assertTrue(Files.exists(run.resolve(PretrainRun.RUN_FILE)));

    PretrainRun again = PretrainRun.resume(run).withOverrides(List.of("max_steps=9", "peak_flops=1e12"));
    assertEquals(9, again.trainConfig().maxSteps());
    TrainResult b = again.run();
    assertEquals(9, b.steps());
    assertEquals(6, b.resumedFromStep());
    LanguageModel trained = LanguageModel.load(run);
    assertEquals(1, trained.config().nLayers());
    // A language model's trainer counts 6 FLOPs per parameter and token for MFU (DL4J's own parameter count).
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    com.fasterxml.jackson.databind.JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(lines.stream().filter(l -> l.contains("\"mfu\"")).reduce((x, y) -> y).orElseThrow());
    double expected = 6.0 * trained.graph().numParams() * last.get("tokens_per_s").asDouble() / 1e12;
    assertEquals(expected, last.get("mfu").asDouble(), 1e-9 * expected, last.toString());

    Path html = RunReport.write(run);
    assertEquals(run.resolve("report.html"), html);
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(run.resolve("loss.png").toFile());
    assertEquals(900, png.getWidth());
    assertTrue(Files.readString(html).contains("9 training steps"), "one metrics line per step");
  }

  @Test
  void badRunFilesNameFileKeyAndFix() throws Exception {
    Path file = runFile(", \"modle\": {}");
    var unknown = assertThrows(IllegalArgumentException.class, () -> PretrainRun.read(file));
    System.out.println(unknown.getMessage());
    assertTrue(unknown.getMessage().contains(file.toString()) && unknown.getMessage().contains("'modle'")
        && unknown.getMessage().contains("model"), unknown.getMessage());
    var noRun = assertThrows(IllegalArgumentException.class, () -> PretrainRun.resume(dir.resolve("nothing")));
    assertTrue(noRun.getMessage().contains("run.json not found"), noRun.getMessage());
    Files.writeString(file, Files.readString(runFile("")).replace("\"max_steps\": 6", "\"max_steps\": -6"));
    var badValue = assertThrows(IllegalArgumentException.class, () -> PretrainRun.read(file));
    System.out.println(badValue.getMessage());
    assertTrue(badValue.getMessage().contains(file + " train") && badValue.getMessage().contains("-6"),
        badValue.getMessage());
  }

  @Test
  void stepBudgetFitsTheTime() throws Exception {
    TrainConfig cfg = TrainConfig.defaults().withMicroBatch(2).withSeqLen(16).withThreads(1);
    StepBudget budget = StepBudget.measure(model, cfg, PackingIterator.open(dir.resolve("shards"),
        PackingConfig.of(16, 2).withEpochs(100)));
    System.out.println("measured " + budget.stepSeconds() + " s/step");
    assertTrue(budget.stepSeconds() > 0 && budget.stepSeconds() < 10, "s/step " + budget.stepSeconds());
    StepBudget quarter = new StepBudget(0.25);
    assertEquals(40, quarter.steps(Duration.ofSeconds(10), 1));
    assertEquals(50, quarter.steps(Duration.ofSeconds(10), 50));
    assertEquals(0, new StepBudget(3).steps(Duration.ofSeconds(2), 0));
    assertThrows(IllegalArgumentException.class, () -> quarter.steps(Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new StepBudget(0));
  }
}
