package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.eval.ModelScorer;
import dev.llmj.core.eval.Perplexity;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.data.Document;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Continued pre-training end to end for each rotary family, as {@code llm pretrain} runs it: a
 * random-weight Hugging Face folder with its own tokenizer.json, shards written with that tokenizer,
 * {@code "init": {"type": "pretrained"}}, a short warm-up; held-out perplexity (documents the run never
 * sees, scored by {@link Perplexity}) before and after; the result exported to a Hugging Face folder
 * that loads back as the same model.
 */
class ContinuedPretrainingTest {

  @TempDir Path dir;

  private static List<String> texts(int from, int to) {
    List<String> texts = new ArrayList<>();
    for (int i = from; i < to; i++) {
      texts.add("the union is strong and the people are free; in year " + i + " the harvest was "
          + (i % 3 == 0 ? "good" : "poor") + " and the roads were " + (i % 2 == 0 ? "new" : "old") + ". ");
    }
    return texts;
  }

  @ParameterizedTest
  @EnumSource(value = Architecture.class, names = {"LLAMA", "MISTRAL", "QWEN2", "QWEN3", "GEMMA"})
  void pretrainedFolderOfEachFamilyTrainsAndExports(Architecture arch) throws Exception {
    BpeTokenizer trained = new BpeTrainer(BpeTrainer.Config.of(300).withThreads(1)).train(texts(0, 80).iterator());
    ModelConfig config = ModelConfig.of(arch, trained.vocabSize(), 32, 2, 2, 16).withKvHeads(1);
    config = switch (arch) {
      case MISTRAL -> config.withWindow(8);
      case QWEN3, GEMMA -> config.withHeadSize(12);
      default -> config;
    };
    Path base = dir.resolve("base");
    LanguageModel.create(config, 7).exportHuggingFace(base);
    trained.save(base.resolve("tokenizer.json"));

    Tokenizer tok = Tokenizers.load(base); // the model's own tokenizer, as `tokenize --tokenizer MODEL_DIR` reads it
    List<Document> docs = new ArrayList<>();
    List<String> train = texts(0, 60);
    for (int i = 0; i < train.size(); i++) {
      docs.add(new Document("d" + i, train.get(i)));
    }
    TokenShards.write(docs.iterator(), tok, dir.resolve("shards"));
    Path runFile = dir.resolve("run.json");
    Files.writeString(runFile, "{\"output\": \"" + dir.resolve("run") + "\","
        + "\"data\": {\"shards\": \"shards\", \"validation_fraction\": 0.1, \"epochs\": 50},"
        + "\"model\": {},"
        + "\"init\": {\"type\": \"pretrained\", \"path\": \"base\"},"
        // a tiny random model needs a larger rate than a real checkpoint (1e-4 and below) to move in 12 steps
        + "\"train\": {\"max_steps\": 12, \"micro_batch\": 4, \"seq_len\": 32, \"lr\": 3e-3, \"warmup_steps\": 2,"
        + " \"eval_every\": 0, \"eval_batches\": 2, \"checkpoint_every\": 0, \"threads\": 1, \"progress\": \"never\"}}");

    List<String> heldOut = texts(60, 80);
    double before = perplexity(LanguageModel.load(base), tok, heldOut);
    TrainResult result = PretrainRun.read(runFile).run();
    LanguageModel after = LanguageModel.load(dir.resolve("run"));
    Path exported = dir.resolve("hf");
    after.exportHuggingFace(exported);
    LanguageModel reloaded = LanguageModel.load(exported);
    double afterPpl = perplexity(reloaded, tok, heldOut);
    System.out.printf(Locale.ROOT, "continued %s: %d steps, held-out perplexity %.2f -> %.2f%n", arch.id(),
        result.steps(), before, afterPpl);
    assertEquals(12, result.steps());
    assertEquals(config, reloaded.config(), "the exported folder is the same family and shape");
    assertEquals(after.graph().params(), reloaded.graph().params(), "the export holds the trained weights exactly");
    assertTrue(afterPpl < 0.8 * before, arch.id() + ": held-out perplexity " + before + " -> " + afterPpl);
  }

  private static double perplexity(LanguageModel lm, Tokenizer tok, List<String> texts) {
    return new Perplexity(new ModelScorer(lm, tok, 4), 32).evaluate(texts.iterator()).perplexity();
  }
}
