package dev.llmj.core.run;

import dev.llmj.core.model.ModelConfig;

/**
 * What a pre-training run costs before it starts. Training FLOPs are 6·N·D for the weights (2 for the
 * forward product, 4 for the two backward ones, per parameter and token) plus 12·L·T·C per token for
 * attention's score and value products when the shape is known (the PaLM / nanoGPT estimate, the full
 * causal matrix counted); the compute-optimal token count is about 20 tokens per parameter (Hoffmann et
 * al., 2022). {@code llm estimate} prints this.
 *
 * <pre>{@code
 * TrainingCost c = TrainingCost.of(ModelConfig.preset("gpt2"), 2.5e9).withDevices(100e12, 8).withPrice(2.0);
 * System.out.printf("%.3e FLOPs, %.0f s, %.2f%n", c.totalFlops(), c.seconds(), c.cost());
 * }</pre>
 *
 * @param params parameters N, &gt; 0
 * @param tokens training tokens D, &gt; 0
 * @param layers L, or 0 when the shape is unknown (attention is then not counted)
 * @param seqLen T, or 0 when unknown
 * @param dModel the attention's width: C, or H·D for a model whose head size D is not C/H (Qwen 3, Gemma);
 *     0 when unknown
 * @param flopsPerSecond sustained FLOP/s of one device (not its peak), or 0 when unknown
 * @param devices devices training together, &gt;= 1
 * @param pricePerHour price of one device-hour, or 0 when unknown
 */
public record TrainingCost(double params, double tokens, int layers, int seqLen, int dModel, double flopsPerSecond,
    int devices, double pricePerHour) {

  /** Compute-optimal tokens per parameter (Chinchilla). */
  public static final double TOKENS_PER_PARAMETER = 20;

  public TrainingCost {
    if (!(params > 0) || !(tokens > 0) || Double.isInfinite(params) || Double.isInfinite(tokens)) {
      throw new IllegalArgumentException("params=" + params + " and tokens=" + tokens + " must be finite and > 0");
    }
    if (layers < 0 || seqLen < 0 || dModel < 0) {
      throw new IllegalArgumentException("layers=" + layers + " seqLen=" + seqLen + " dModel=" + dModel
          + " must be >= 0 (0: unknown)");
    }
    if (!(flopsPerSecond >= 0) || !(pricePerHour >= 0) || devices < 1) {
      throw new IllegalArgumentException("flopsPerSecond=" + flopsPerSecond + " pricePerHour=" + pricePerHour
          + " must be >= 0 (0: unknown) and devices=" + devices + " >= 1");
    }
  }

  /** {@code params} parameters trained on {@code tokens} tokens, shape and devices unknown. */
  public static TrainingCost of(double params, double tokens) {
    return new TrainingCost(params, tokens, 0, 0, 0, 0, 1, 0);
  }

  /** {@code model} (its parameter count and shape, attention H·D wide) trained on {@code tokens} tokens. */
  public static TrainingCost of(ModelConfig model, double tokens) {
    return of(model.parameterCount(), tokens).withShape(model.nLayers(), model.contextLength(),
        model.nHeads() * model.headSize());
  }

  /** Training FLOPs per token of {@code model} at its full context: {@code 6N + 12 L T C}. */
  public static double flopsPerToken(ModelConfig model) {
    return of(model, 1).totalFlops();
  }

  /** The shape attention's FLOPs are counted from. */
  public TrainingCost withShape(int l, int t, int c) {
    return new TrainingCost(params, tokens, l, t, c, flopsPerSecond, devices, pricePerHour);
  }

  /** {@code count} devices, each sustaining {@code flops} FLOP/s. */
  public TrainingCost withDevices(double flops, int count) {
    return new TrainingCost(params, tokens, layers, seqLen, dModel, flops, count, pricePerHour);
  }

  public TrainingCost withPrice(double perDeviceHour) {
    return new TrainingCost(params, tokens, layers, seqLen, dModel, flopsPerSecond, devices, perDeviceHour);
  }

  /** {@code 6 N D}. */
  public double weightFlops() {
    return 6 * params * tokens;
  }

  /** {@code 12 L T C D}; 0 when the shape is unknown. */
  public double attentionFlops() {
    return 12.0 * layers * seqLen * dModel * tokens;
  }

  public double totalFlops() {
    return weightFlops() + attentionFlops();
  }

  /** {@value #TOKENS_PER_PARAMETER} tokens per parameter. */
  public double optimalTokens() {
    return TOKENS_PER_PARAMETER * params;
  }

  /** Wall seconds on the devices; NaN when their FLOP/s is unknown. */
  public double seconds() {
    return flopsPerSecond == 0 ? Double.NaN : totalFlops() / (flopsPerSecond * devices);
  }

  /** Price of the device-hours; NaN when the price or the FLOP/s is unknown. */
  public double cost() {
    return pricePerHour == 0 ? Double.NaN : seconds() / 3600 * devices * pricePerHour;
  }
}
