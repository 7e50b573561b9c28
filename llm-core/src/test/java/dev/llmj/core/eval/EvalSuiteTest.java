package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.LanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EvalSuite} against its parts called by hand: the corpus result is {@link Perplexity}'s on the first
 * {@code limit} documents, a task's is {@link MultipleChoice}'s on its first items with examples drawn from the
 * whole file.
 */
class EvalSuiteTest {
  static final Path SAMPLES = Path.of("src/test/resources/dev/llmj/core/eval");

  @TempDir Path dir;

  @Test
  void resultsEqualThePartsCalledDirectly() throws Exception {
    System.out.println("model seed " + EvalModels.SEED + " (reproduce with -Dtests.seed=" + EvalModels.SEED + ")");
    LanguageModel lm = EvalModels.tinyGpt2Vocab(64);
    Path text = dir.resolve("docs.txt");
    Files.writeString(text, "The state of the Union is strong.\n");
    Path arc = SAMPLES.resolve("arc.jsonl");
    EvalSuite suite = EvalSuite.of(List.of(text), List.of(EvalSuite.Task.parse("arc=" + arc)))
        .withShots(1, List.of()).withLimit(2);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<TaskResult> results = suite.run(lm, EvalModels.GPT2, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(2, results.size());

    ModelScorer scorer = new ModelScorer(lm, EvalModels.GPT2, 4);
    TaskResult ppl = new Perplexity(scorer, 64).evaluate(List.of("The state of the Union is strong.").iterator())
        .toTaskResult("docs.txt");
    assertEquals(ppl, results.get(0));
    List<TaskItem> all = TaskFormat.ARC.read(arc);
    assertTrue(all.size() > 2, "the file has more items than the limit keeps");
    TaskResult mc = MultipleChoice.evaluate("arc", all.subList(0, 2), new FewShot(1, all, 1234), scorer);
    assertEquals(mc, results.get(1));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("evaluating arc: 2 items, 1-shot"), log.toString());
  }

  @Test
  void badSuitesNameTheProblem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalSuite.of(List.of(), List.of()));
    assertTrue(e.getMessage().contains("nothing to evaluate"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EvalSuite.Task.parse("arc"));
    assertTrue(e.getMessage().contains("must be FORMAT=PATH"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EvalSuite.Task.parse("squad=" + SAMPLES.resolve("arc.jsonl")));
    assertTrue(e.getMessage().contains("unknown task format 'squad'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EvalSuite.Task.parse("arc=" + dir.resolve("nope")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    EvalSuite.Task arc = EvalSuite.Task.parse("arc=" + SAMPLES.resolve("arc.jsonl"));
    e = assertThrows(IllegalArgumentException.class,
        () -> EvalSuite.of(List.of(), List.of(arc)).withShots(1, List.of(arc, arc)));
    assertTrue(e.getMessage().contains("two few-shot files are given for arc"), e.getMessage());
  }
}
