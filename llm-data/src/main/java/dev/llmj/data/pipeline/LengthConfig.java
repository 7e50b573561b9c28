package dev.llmj.data.pipeline;

/** Settings of {@link Steps#length}: documents outside [minChars, maxChars] are dropped. */
public record LengthConfig(long minChars, long maxChars) {
  public LengthConfig {
    Check.atLeast("minChars", minChars, 0);
    Check.ordered("minChars", minChars, "maxChars", maxChars);
  }

  public static LengthConfig defaults() {
    return new LengthConfig(1, Long.MAX_VALUE);
  }
}
