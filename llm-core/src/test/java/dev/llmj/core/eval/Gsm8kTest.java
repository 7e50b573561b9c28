package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answer extraction cases and greedy generation against LanguageModel.generate. */
class Gsm8kTest {

  @Test
  void extractsTheFinalNumber() {
    String[][] cases = {
        {"He has 12 - 2 = 10 apples.\n#### 10", "10"},
        {"#### 1,300", "1300"},
        {"so #### -7.5 and later 9", "-7.5"},
        {"She pays $1,200. The answer is $1,250.", "1250"},
        {"The answer is 42.", "42"},
        {"First 3 then 4, finally 18.", "18"},
        {"It costs 0.50 dollars", "0.50"},
        {"The answer is unknown but 5 is close", "5"},
        {"no number here", ""},
        {"", ""},
    };
    for (String[] c : cases) {
      String got = Gsm8k.extractAnswer(c[0]);
      System.out.println("'" + c[0].replace("\n", "\\n") + "' -> '" + got + "'");
      assertEquals(c[1], got, c[0]);
    }
    assertEquals(" 12 apples.", Gsm8k.cut(" 12 apples.\n\nQuestion: next"));
    assertEquals(" 12 ", Gsm8k.cut(" 12 Question: x\n\ny"));
  }

  @Test
  void greedyGenerationIsLanguageModelGenerateCutAtTheStopStrings() {
    LanguageModel lm = EvalModels.tinyGpt2Vocab(48);
    for (String prompt : List.of("Question: What is 2 + 3?\nAnswer:", "Once upon a time")) {
      int[] ids = EvalModels.GPT2.encode(prompt);
      int[] full = lm.generate(ids, new GenerationConfig(12, 0, 0, 1, 1, new int[] {EvalModels.GPT2.endOfTextId()}, 0),
          null);
      int[] generated = Arrays.copyOfRange(full, ids.length, full.length);
      if (generated.length > 0 && generated[generated.length - 1] == EvalModels.GPT2.endOfTextId()) {
        generated = Arrays.copyOf(generated, generated.length - 1);
      }
      String expected = Gsm8k.cut(EvalModels.GPT2.decode(generated));
      String got = Gsm8k.generate(lm, EvalModels.GPT2, prompt, 12);
      System.out.println("'" + got + "'");
      assertEquals(expected, got);
    }
  }

  @Test
  void exactMatchCountsGenerationsWhoseFinalNumberIsTheGoldOne() throws Exception {
    // Reference: each item's generation scored by hand with the public extraction.
    LanguageModel lm = EvalModels.tinyGpt2Vocab(64);
    List<TaskItem> items = TaskFormat.GSM8K.read(TaskReadersTest.sample("gsm8k.jsonl"));
    TaskResult r = Gsm8k.evaluate("gsm8k", lm, EvalModels.GPT2, items, FewShot.zeroShot(), 8);
    int hits = 0;
    for (TaskItem item : items) {
      String answer = Gsm8k.extractAnswer(Gsm8k.generate(lm, EvalModels.GPT2, item.context(0), 8));
      hits += answer.equals(Gsm8k.extractAnswer(item.continuation(0))) ? 1 : 0;
    }
    System.out.println(r);
    assertEquals(3, r.n());
    assertEquals(hits / 3.0, r.metric("exact_match").value(), 1e-12);
  }
}
