package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Estimates against figures worked out by hand. */
class EstimateCommandTest {

  @Test
  void gpt2SmallOnEightDevicesByHand() {
    // GPT-2 124M, 2.5e9 tokens, 12 layers, context 1024, width 768, 8 devices at 100 TFLOP/s, 2.0 per hour.
    EstimateCommand.Estimate e = EstimateCommand.estimate(124_439_808, 2.5e9, 12, 1024, 768, 100e12, 8, 2.0);
    double weights = 6 * 124_439_808.0 * 2.5e9; // 1.866597e18
    double attention = 12.0 * 12 * 1024 * 768 * 2.5e9; // 2.8311552e17
    assertEquals(1.866597120e18, weights, 1e9);
    assertEquals(weights, e.weightFlops(), 1);
    assertEquals(attention, e.attentionFlops(), 1);
    assertEquals(weights + attention, e.totalFlops(), 1e3);
    assertEquals((weights + attention) / 800e12, e.seconds(), 1e-6); // 2687.1 s
    assertEquals(e.seconds() / 3600 * 8 * 2.0, e.cost(), 1e-9);    // 11.94
    assertEquals(20 * 124_439_808.0, e.optimalTokens(), 1);
  }

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
