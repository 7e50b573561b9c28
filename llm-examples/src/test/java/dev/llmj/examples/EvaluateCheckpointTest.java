package dev.llmj.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.eval.EvalReport;
import dev.llmj.core.eval.FewShot;
import dev.llmj.core.eval.ModelScorer;
import dev.llmj.core.eval.MultipleChoice;
import dev.llmj.core.eval.Perplexity;
import dev.llmj.core.eval.TaskFormat;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example program on a tiny saved model prints the table the library computes for the same inputs. */
class EvaluateCheckpointTest {
  static final Path GPT2 = Path.of("../llm-data/src/main/resources/dev/llmj/data/tokenizer/gpt2");
  static final Path ARC = Path.of("../llm-core/src/test/resources/dev/llmj/core/eval/arc.jsonl");

  @TempDir Path dir;

  @Test
  void printsPerplexityAndAccuracyOfTheCheckpoint() throws Exception {
    LanguageModel lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, 50257, 32, 1, 2, 16), 5);
    Path model = dir.resolve("model");
    lm.save(model);
    Path corpus = dir.resolve("valid.jsonl");
    Files.writeString(corpus, "{\"text\": \"The lighthouse keeper counted the ships every evening.\"}\n"
        + "{\"text\": \"Rain fell on the quiet harbour.\"}\n");
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      EvaluateCheckpoint.main(new String[] {model.toString(), GPT2.toString(), corpus.toString(), ARC.toString()});
    } finally {
      System.setOut(out);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    ModelScorer scorer = new ModelScorer(LanguageModel.load(model), Tokenizers.load(GPT2), 8);
    String expected = EvalReport.table(List.of(
        new Perplexity(scorer).evaluate(List.of("The lighthouse keeper counted the ships every evening.",
            "Rain fell on the quiet harbour.").iterator()).toTaskResult("corpus"),
        MultipleChoice.evaluate("arc", TaskFormat.ARC.read(ARC), FewShot.zeroShot(), scorer)));
    assertTrue(printed.equals(expected), "expected:\n" + expected + "printed:\n" + printed);
    assertTrue(printed.contains("bits_per_byte") && printed.contains("acc_norm"), printed);
  }
}
