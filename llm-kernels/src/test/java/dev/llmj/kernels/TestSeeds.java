package dev.llmj.kernels;

import java.util.Random;

/** A seeded random source per test; {@code -Dtests.seed=...} replays a failure. */
final class TestSeeds {

  private TestSeeds() {}

  static Random random(String test) {
    String fixed = System.getProperty("tests.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    System.out.println(test + ": seed " + seed + " (reproduce with -Dtests.seed=" + seed + ")");
    return new Random(seed);
  }
}
