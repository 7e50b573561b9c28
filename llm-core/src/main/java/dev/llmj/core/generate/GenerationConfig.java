package dev.llmj.core.generate;

import java.util.Arrays;

/**
 * How to pick each next token.
 *
 * <pre>{@code
 * GenerationConfig greedy = GenerationConfig.greedy(50);
 * GenerationConfig sampled = new GenerationConfig(200, 0.8, 40, 0.95, 1.1, new int[] {50256}, 1234L);
 * }</pre>
 *
 * @param maxNewTokens tokens to add after the prompt at most
 * @param temperature logits are divided by it; 0 means greedy (argmax)
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 * @param repetitionPenalty tokens already in the sequence get positive logits divided and negative
 *     logits multiplied by it (the CTRL / Hugging Face rule); 1 disables
 * @param stopTokens generation ends after emitting any of these (the stop token is included)
 * @param seed seeds the sampler, so the same seed and prompt give the same text
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP,
    double repetitionPenalty, int[] stopTokens, long seed) {

  public GenerationConfig {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
    }
    if (!(repetitionPenalty > 0)) {
      throw new IllegalArgumentException("repetitionPenalty must be > 0 (1 = off), got " + repetitionPenalty);
    }
    stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
  }

  public static GenerationConfig greedy(int maxNewTokens) {
    return new GenerationConfig(maxNewTokens, 0, 0, 1, 1, null, 0);
  }

  public static GenerationConfig sampling(int maxNewTokens, double temperature, long seed) {
    return new GenerationConfig(maxNewTokens, temperature, 0, 1, 1, null, seed);
  }

  @Override
  public int[] stopTokens() {
    return stopTokens.clone();
  }

  boolean isStop(int token) {
    for (int s : stopTokens) {
      if (s == token) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationConfig g && maxNewTokens == g.maxNewTokens && temperature == g.temperature
        && topK == g.topK && topP == g.topP && repetitionPenalty == g.repetitionPenalty
        && Arrays.equals(stopTokens, g.stopTokens) && seed == g.seed;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(stopTokens) * 31 + Long.hashCode(seed) + maxNewTokens;
  }

  @Override
  public String toString() {
    return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK
        + ", topP=" + topP + ", repetitionPenalty=" + repetitionPenalty + ", stopTokens="
        + Arrays.toString(stopTokens) + ", seed=" + seed + "]";
  }

  /** The same settings with another sampling seed. */
  public GenerationConfig withSeed(long newSeed) {
    return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokens, newSeed);
  }
}
