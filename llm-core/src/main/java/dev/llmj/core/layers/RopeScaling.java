package dev.llmj.core.layers;

import java.util.Locale;

/**
 * How rotary frequencies are stretched for contexts longer than the model was first trained on.
 * Pair {@code i} of a head of size D turns by {@code pos * f_i}, with {@code f_i = theta^(-2i/D)} scaled:
 *
 * <ul>
 *   <li>{@code none}: unchanged;
 *   <li>{@code linear}: every {@code f_i / factor} (positions interpolated);
 *   <li>{@code llama3} (Llama 3.1): wavelengths {@code 2 pi / f_i} shorter than
 *       {@code originalContext / highFreqFactor} keep their frequency, those longer than
 *       {@code originalContext / lowFreqFactor} are divided by {@code factor}, and the band between
 *       blends the two with {@code s = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor -
 *       lowFreqFactor)}: {@code (1 - s) f_i / factor + s f_i}.
 * </ul>
 *
 * <pre>{@code
 * RopeScaling llama31 = RopeScaling.llama3(8, 1, 4, 8192);
 * double[] f = llama31.inverseFrequencies(500000, 128);   // 64 frequencies
 * }</pre>
 *
 * @param type the rule
 * @param factor how many times longer the context becomes (1 for none)
 * @param lowFreqFactor llama3 only: the low-frequency edge (Llama 3.1: 1)
 * @param highFreqFactor llama3 only: the high-frequency edge (Llama 3.1: 4)
 * @param originalContext llama3 only: the context of the original training (Llama 3.1: 8192)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalContext) {

  /** The scaling rules this library computes. */
  public enum Type {
    NONE, LINEAR, LLAMA3;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0);

  public RopeScaling {
    if (type == null) {
      throw new IllegalArgumentException("rope scaling type is required: none, linear or llama3");
    }
    if (!(factor >= 1) || type == Type.NONE && factor != 1) {
      throw new IllegalArgumentException("rope scaling factor must be >= 1 (1 for none), got " + factor + " for "
          + type.id());
    }
    if (type == Type.LLAMA3 && !(lowFreqFactor > 0 && highFreqFactor > lowFreqFactor && originalContext > 0)) {
      throw new IllegalArgumentException("llama3 rope scaling needs 0 < lowFreqFactor < highFreqFactor and "
          + "originalContext > 0; got lowFreqFactor " + lowFreqFactor + ", highFreqFactor " + highFreqFactor
          + ", originalContext " + originalContext + " (Llama 3.1: 1, 4, 8192)");
    }
    if (type != Type.LLAMA3 && (lowFreqFactor != 0 || highFreqFactor != 0 || originalContext != 0)) {
      throw new IllegalArgumentException(type.id() + " rope scaling takes only a factor; lowFreqFactor, "
          + "highFreqFactor and originalContext must be 0, got " + lowFreqFactor + ", " + highFreqFactor + ", "
          + originalContext);
    }
  }

  public static RopeScaling linear(double factor) {
    return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
  }

  public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
    return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalContext);
  }

  /** The D/2 angular frequencies of a head of size {@code d} with rotary base {@code theta}. */
  public double[] inverseFrequencies(double theta, int d) {
    double[] f = new double[d / 2];
    for (int i = 0; i < f.length; i++) {
      double base = Math.pow(theta, -2.0 * i / d);
      f[i] = switch (type) {
        case NONE -> base;
        case LINEAR -> base / factor;
        case LLAMA3 -> llama3(base);
      };
    }
    return f;
  }

  private double llama3(double f) {
    double wavelength = 2 * Math.PI / f;
    if (wavelength < originalContext / highFreqFactor) {
      return f;
    }
    if (wavelength > originalContext / lowFreqFactor) {
      return f / factor;
    }
    double s = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - s) * f / factor + s * f;
  }
}
