package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.Document;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run from run.json, then its continuation with --resume, on a tiny model. */
class PretrainCommandTest {

  @TempDir Path dir;

  /** metrics.jsonl lines of training steps (evaluations add lines of their own). */
  static long stepLines(Path run) throws java.io.IOException {
    return Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"tokens_per_s\"")).count();
  }

  /**
   * Shards of a tiny BPE corpus in {@code dir/shards} and {@code dir/run.json}: a 1-layer GPT-2 for 6 steps
   * of 2 x 16 tokens, checkpoints and evaluations every 3 steps, output {@code dir/run}.
   */
  static Path writeRun(Path dir) throws java.io.IOException {
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
    ModelConfig model = ModelConfig.of(Architecture.GPT2, tok.vocabSize(), 16, 1, 2, 16);
    Files.writeString(dir.resolve("run.json"), "{\"output\": \"" + dir.resolve("run") + "\","
        + "\"data\": {\"shards\": \"shards\", \"validation_fraction\": 0.1, \"epochs\": 50},"
        + "\"model\": {\"config\": " + model.toJson() + "},"
        + "\"init\": {\"type\": \"random\", \"seed\": 3},"
        + "\"train\": {\"max_steps\": 6, \"micro_batch\": 2, \"seq_len\": 16, \"checkpoint_every\": 3,"
        + " \"eval_every\": 3, \"eval_batches\": 2, \"threads\": 1, \"progress\": \"never\", \"warmup_steps\": 1}}");
    return dir.resolve("run.json");
  }

  @Test
  void runsFromConfigThenResumesToALargerBudget() throws Exception {
    writeRun(dir);

    Object[] first = TokenizerCommandsTest.run("pretrain", "--config", dir.resolve("run.json").toString());
    assertEquals(0, first[0], (String) first[2]);
    assertTrue(((String) first[1]).startsWith("steps=6 "), (String) first[1]);
    Path run = dir.resolve("run");
    assertTrue(Files.exists(run.resolve("run.json")));
    assertEquals(6, stepLines(run));

    Object[] second = TokenizerCommandsTest.run("pretrain", "--resume", run.toString(), "--set", "max_steps=9");
    assertEquals(0, second[0], (String) second[2]);
    assertTrue(((String) second[1]).startsWith("steps=9 "), (String) second[1]);
    assertEquals(9, stepLines(run));
    assertEquals(1, LanguageModel.load(run).config().nLayers());

    // Bad input: an unknown key is named with the valid ones.
    Files.writeString(dir.resolve("bad.json"), "{\"output\": \"x\", \"modle\": {}}");
    Object[] bad = TokenizerCommandsTest.run("pretrain", "--config", dir.resolve("bad.json").toString());
    assertEquals(Llm.EXIT_USAGE, bad[0]);
    assertTrue(((String) bad[2]).contains("modle"), (String) bad[2]);
  }
}
