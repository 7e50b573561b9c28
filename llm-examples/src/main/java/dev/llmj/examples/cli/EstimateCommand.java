package dev.llmj.examples.cli;

import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.run.TrainingCost;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm estimate}: {@link TrainingCost}, what a pre-training run costs before it starts, as a table. */
@Command(name = "estimate", mixinStandardHelpOptions = true,
    description = "Training FLOPs (6ND plus attention), time and cost of a run, and the compute-optimal token count.")
final class EstimateCommand implements Callable<Integer> {

  @Option(names = "--params", paramLabel = "N", converter = Amount.class,
      description = "Parameters, e.g. 124M or 1.3e9 (or give --preset).")
  Double params;

  @Option(names = "--tokens", required = true, paramLabel = "D", converter = Amount.class,
      description = "Training tokens, e.g. 2.5B.")
  double tokens;

  @Option(names = "--preset", paramLabel = "NAME", description = "A model preset; sets --params and the shape.")
  String preset;

  @Option(names = "--layers", paramLabel = "L", description = "Layers (with --seq-len and --d-model: attention FLOPs).")
  Integer layers;

  @Option(names = "--seq-len", paramLabel = "T", description = "Sequence length.")
  Integer seqLen;

  @Option(names = "--d-model", paramLabel = "C", description = "Model width.")
  Integer dModel;

  @Option(names = "--flops-per-second", paramLabel = "F", converter = Amount.class,
      description = "Sustained FLOP/s of one device (e.g. 400T), not its peak.")
  Double flopsPerSecond;

  @Option(names = "--gpus", defaultValue = "1", paramLabel = "G", description = "Devices (default: ${DEFAULT-VALUE}).")
  int gpus;

  @Option(names = "--price-per-hour", paramLabel = "P", description = "Price of one device-hour.")
  Double pricePerHour;

  @Override
  public Integer call() {
    if (preset != null) {
      ModelConfig c = ModelConfig.preset(preset);
      params = params == null ? (double) c.parameterCount() : params;
      layers = layers == null ? c.nLayers() : layers;
      seqLen = seqLen == null ? c.contextLength() : seqLen;
      dModel = dModel == null ? c.dModel() : dModel;
    }
    if (params == null) {
      throw new IllegalArgumentException("give --params N (> 0) or --preset NAME");
    }
    TrainingCost e = new TrainingCost(params, tokens, orZero(layers), orZero(seqLen), orZero(dModel),
        flopsPerSecond == null ? 0 : flopsPerSecond, gpus, pricePerHour == null ? 0 : pricePerHour);
    StringBuilder t = new StringBuilder();
    row(t, "parameters (N)", String.format(Locale.ROOT, "%,.0f", e.params()));
    row(t, "tokens (D)", sci(e.tokens()) + String.format(Locale.ROOT, "  (%.1f per parameter)", e.tokens() / e.params()));
    row(t, "FLOPs, weights (6ND)", sci(e.weightFlops()));
    row(t, "FLOPs, attention (12LTC*D)", e.attentionFlops() > 0 ? sci(e.attentionFlops()) : "not counted: give --layers --seq-len --d-model");
    row(t, "FLOPs, total", sci(e.totalFlops()));
    row(t, "compute-optimal tokens (20N)", sci(e.optimalTokens()) + (e.tokens() < e.optimalTokens() ? "  (this run is under-trained for its size)" : ""));
    if (!Double.isNaN(e.seconds())) {
      row(t, "time at " + sci(flopsPerSecond) + " FLOP/s x " + gpus, duration(e.seconds()));
    } else {
      row(t, "time", "give --flops-per-second");
    }
    if (!Double.isNaN(e.cost())) {
      row(t, "cost at " + pricePerHour + " per device-hour", String.format(Locale.ROOT, "%,.2f", e.cost()));
    }
    System.out.print(t);
    return 0;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  private static void row(StringBuilder t, String k, String v) {
    t.append(String.format(Locale.ROOT, "%-36s %s%n", k, v));
  }

  static String sci(double v) {
    return String.format(Locale.ROOT, "%.3e", v);
  }

  static String duration(double s) {
    if (s < 3600) {
      return String.format(Locale.ROOT, "%.1f minutes", s / 60);
    }
    if (s < 86400 * 2) {
      return String.format(Locale.ROOT, "%.1f hours", s / 3600);
    }
    return String.format(Locale.ROOT, "%.1f days (%.0f hours)", s / 86400, s / 3600);
  }

  /** Numbers with an optional k, M, B/G or T suffix: 124M, 2.5B, 1e9, 400T. */
  static final class Amount implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      String s = text.trim();
      double scale = 1;
      char last = s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1));
      switch (last) {
        case 'K' -> scale = 1e3;
        case 'M' -> scale = 1e6;
        case 'B', 'G' -> scale = 1e9;
        case 'T' -> scale = 1e12;
        default -> scale = 1;
      }
      String num = scale == 1 ? s : s.substring(0, s.length() - 1);
      try {
        double v = Double.parseDouble(num) * scale;
        if (!Double.isFinite(v) || v < 0) {
          throw new NumberFormatException();
        }
        return v;
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + text + "' is not an amount; use a number with an optional k, M, B or T suffix, e.g. 124M");
      }
    }
  }
}
