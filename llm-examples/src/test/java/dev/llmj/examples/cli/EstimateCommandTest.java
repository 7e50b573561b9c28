package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The table of {@code llm estimate}; the figures themselves are checked by hand in TrainingCostTest. */
class EstimateCommandTest {

  @Test
  void tablePrintsAndAmountsParse() {
    Object[] r = TokenizerCommandsTest.run("estimate", "--preset", "gpt2", "--tokens", "2.5B",
        "--flops-per-second", "100T", "--gpus", "8", "--price-per-hour", "2");
    assertEquals(0, r[0], (String) r[2]);
    String out = (String) r[1];
    assertTrue(out.contains("124,439,808"), out);
    assertTrue(out.contains("2.150e+18"), out); // 1.8666e18 + 2.8312e17 = 2.1497e18
    assertTrue(out.contains("44.8 minutes"), out);
    assertEquals(1.24e8, new EstimateCommand.Amount().convert("124M"), 1e-6);
    assertEquals(Llm.EXIT_USAGE, TokenizerCommandsTest.run("estimate", "--params", "12x", "--tokens", "1")[0]);
    assertEquals(Llm.EXIT_USAGE, TokenizerCommandsTest.run("estimate", "--tokens", "1")[0]);
  }
}
