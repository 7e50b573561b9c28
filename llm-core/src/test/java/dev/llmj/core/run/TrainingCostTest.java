package dev.llmj.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** Estimates against figures worked out by hand. */
class TrainingCostTest {

  @Test
  void gpt2SmallOnEightDevicesByHand() {
    // GPT-2 124M, 2.5e9 tokens, 12 layers, context 1024, width 768, 8 devices at 100 TFLOP/s, 2.0 per hour.
    TrainingCost e = TrainingCost.of(124_439_808, 2.5e9).withShape(12, 1024, 768).withDevices(100e12, 8).withPrice(2.0);
    double weights = 6 * 124_439_808.0 * 2.5e9; // 1.866597e18
    double attention = 12.0 * 12 * 1024 * 768 * 2.5e9; // 2.8311552e17
    assertEquals(1.866597120e18, weights, 1e9);
    assertEquals(weights, e.weightFlops(), 1);
    assertEquals(attention, e.attentionFlops(), 1);
    assertEquals(weights + attention, e.totalFlops(), 1e3);
    assertEquals((weights + attention) / 800e12, e.seconds(), 1e-6); // 2687.1 s
    assertEquals(e.seconds() / 3600 * 8 * 2.0, e.cost(), 1e-9);    // 11.94
    assertEquals(20 * 124_439_808.0, e.optimalTokens(), 1);
    // the preset carries the same count and shape
    assertEquals(e.totalFlops(), TrainingCost.of(ModelConfig.preset("gpt2"), 2.5e9).totalFlops(), 1e3);
  }

  @Test
  void attentionIsCountedAtItsOwnWidthWhenHeadsAreNotCOverH() {
    // 16 heads of 128 on C = 1024 (Qwen 3 0.6B's attention shape): scores and values are 2048 wide
    ModelConfig m = ModelConfig.of(Architecture.QWEN3, 1000, 512, 2, 16, 1024).withKvHeads(8).withHeadSize(128);
    assertEquals(12.0 * 2 * 512 * 2048 * 10, TrainingCost.of(m, 10).attentionFlops(), 1e-3);
  }

  @Test
  void unknownShapeAndDevicesLeaveThoseFiguresOut() {
    TrainingCost e = TrainingCost.of(1e6, 1e9);
    assertEquals(0, e.attentionFlops());
    assertEquals(6e15, e.totalFlops(), 1);
    assertTrue(Double.isNaN(e.seconds()) && Double.isNaN(e.cost()));
    assertTrue(Double.isNaN(e.withPrice(3).cost()), "no cost without FLOP/s");
    assertThrows(IllegalArgumentException.class, () -> TrainingCost.of(0, 1));
    assertThrows(IllegalArgumentException.class, () -> e.withDevices(1e12, 0));
  }
}
