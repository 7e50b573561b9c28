package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.eval.FewShot;
import dev.llmj.core.eval.Gsm8k;
import dev.llmj.core.eval.ModelScorer;
import dev.llmj.core.eval.MultipleChoice;
import dev.llmj.core.eval.Perplexity;
import dev.llmj.core.eval.TaskFormat;
import dev.llmj.core.eval.TaskItem;
import dev.llmj.core.eval.TaskResult;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llm evaluate in-process on a tiny saved model: every format, JSON equal to the library's results, bad usage. */
class EvaluateCommandTest {
  static final Path SAMPLES = Path.of("../llm-core/src/test/resources/dev/llmj/core/eval");

  @TempDir Path dir;

  @Test
  void evaluatesACorpusAndEveryFormatAndWritesTheLibrarysNumbers() throws Exception {
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, 50257, 32, 1, 2, 16),
        ModelCommandsTest.SEED);
    Path model = dir.resolve("model");
    lm.save(model);
    Path corpus = dir.resolve("valid.jsonl");
    List<String> docs = List.of("A long quiet road ran between the fields and the river, and every morning the baker"
        + " walked it with two baskets of bread for the village on the other side of the old stone bridge.",
        "Short one.");
    Files.writeString(corpus, "{\"text\": \"" + docs.get(0) + "\"}\n{\"text\": \"" + docs.get(1) + "\"}\n");
    Path json = dir.resolve("out/results.json");
    String[] formats = {"hellaswag=hellaswag.jsonl", "arc=arc.jsonl", "winogrande=winogrande.jsonl",
        "piqa=piqa.jsonl", "mmlu=mmlu", "truthfulqa-mc1=truthfulqa.json", "gsm8k=gsm8k.jsonl"};
    List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString(), "--tokenizer",
        ModelCommandsTest.GPT2_TOKENIZER.toString(), "--corpus", corpus.toString(), "--shots", "1", "--limit", "2",
        "--batch-size", "3", "--stride", "7", "--max-gen-tokens", "4", "--output", json.toString()));
    for (String f : formats) {
      int eq = f.indexOf('=');
      args.add("--task");
      args.add(f.substring(0, eq + 1) + SAMPLES.resolve(f.substring(eq + 1)));
    }
    ModelCommandsTest.Result r = ModelCommandsTest.run(args.toArray(String[]::new));
    System.out.print(r.out());
    assertEquals(0, r.code(), r.err());
    JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");

    Tokenizer tok = Tokenizers.load(ModelCommandsTest.GPT2_TOKENIZER);
    LanguageModel loaded = LanguageModel.load(model);
    ModelScorer scorer = new ModelScorer(loaded, tok, 3);
    double worst = 0;
    TaskResult ppl = new Perplexity(scorer, 7).evaluate(docs.iterator()).toTaskResult("valid.jsonl");
    for (String metric : List.of("tokens", "nats_per_token", "bits_per_byte", "word_perplexity")) {
      double printed = results.get("valid.jsonl").get(metric).asDouble();
      worst = Math.max(worst, Math.abs(printed - ppl.metric(metric).value()));
      assertEquals(ppl.metric(metric).value(), printed, 1e-9, metric);
    }
    for (String f : formats) {
      TaskFormat format = TaskFormat.of(f.substring(0, f.indexOf('=')));
      List<TaskItem> all = format.read(SAMPLES.resolve(f.substring(f.indexOf('=') + 1)));
      List<TaskItem> items = all.subList(0, 2);
      FewShot oneShot = new FewShot(1, all, 1234); // examples from the whole file, as without --fewshot-file
      TaskResult expected = format.generative()
          ? Gsm8k.evaluate(format.id(), loaded, tok, items, oneShot, 4)
          : MultipleChoice.evaluate(format.id(), items, oneShot, scorer);
      JsonNode got = results.get(format.id());
      assertEquals(2, got.get("n").asInt(), format.id());
      assertEquals(1, got.get("shots").asInt(), format.id());
      for (var m : expected.metrics()) {
        worst = Math.max(worst, Math.abs(got.get(m.name()).asDouble() - m.value()));
        assertEquals(m.value(), got.get(m.name()).asDouble(), 1e-12, format.id() + " " + m.name());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(format.id() + " ") && l.contains(m.name())), r.out());
      }
    }
    System.out.printf(Locale.ROOT, "worst |JSON - library| = %.3g%n", worst);
    assertEquals(1, new ObjectMapper().readTree(json.toFile()).get("config").get("shots").asInt());
  }

  @Test
  void badUsageAndBadFilesExitWithOneLineNamingTheProblem() throws Exception {
    Path model = dir.resolve("m");
    LanguageModel.create(ModelConfig.of(Architecture.GPT2, 50257, 16, 1, 2, 16), 1).save(model);
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"question\": \"q\", \"answer\": \"no hashes\"}\n");
    String tok = ModelCommandsTest.GPT2_TOKENIZER.toString();
    String[][] cases = {
        {"nothing to evaluate"},
        {"unknown task format 'squad'", "--task", "squad=" + bad},
        {"must be FORMAT=PATH", "--task", "arc"},
        {"does not exist", "--task", "arc=" + dir.resolve("missing.jsonl")},
        {bad + ":1: field \"answer\" must end with \"#### <number>\"", "--task", "gsm8k=" + bad},
        {"need 4 examples besides the item", "--task", "gsm8k=" + SAMPLES.resolve("gsm8k.jsonl"), "--shots", "4",
            "--limit", "1"},
    };
    for (String[] c : cases) {
      List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString(), "--tokenizer", tok));
      args.addAll(List.of(c).subList(1, c.length));
      ModelCommandsTest.Result r = ModelCommandsTest.run(args.toArray(String[]::new));
      System.out.print("exit " + r.code() + ": " + r.err());
      assertEquals(Llm.EXIT_USAGE, r.code(), r.err());
      assertTrue(r.err().contains(c[0]), r.err());
      assertEquals(1, r.err().lines().filter(l -> l.startsWith("llm evaluate")).count(), r.err());
    }
    ModelCommandsTest.Result help = ModelCommandsTest.run("evaluate", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--fewshot-file"), help.out());
  }
}
