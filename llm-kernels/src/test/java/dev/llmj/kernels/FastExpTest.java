package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The attention kernel's float exponential against Math.exp. */
class FastExpTest {
  @Test
  void expMatchesMathExp() {
    double worst = 0;
    float worstAt = 0;
    for (int i = -8_700_000; i <= 8_800_000; i++) {
      float x = i * 1e-5f;
      double want = Math.exp(x);
      double rel = Math.abs(FlashTiles.exp(x) - want) / want;
      if (rel > worst) {
        worst = rel;
        worstAt = x;
      }
    }
    System.out.printf("float exp: worst relative error %.2e at x = %s over [-87, 88]%n", worst, worstAt);
    assertTrue(worst < 5e-7, "worst relative error " + worst + " at " + worstAt);
    assertEquals(1f, FlashTiles.exp(0f));
    assertTrue(FlashTiles.exp(-1000f) < 1.7e-38f, "far below the range the result is negligible");
    assertTrue(FlashTiles.exp(Float.NEGATIVE_INFINITY) < 1.7e-38f, "e^-inf");
  }
}
