package dev.llmj.data.pipeline;

/** Validation helpers for config records; messages name the setting, the value and the range. */
final class Check {
  private Check() {}

  static double fraction(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(name + "=" + v + " must be a fraction in [0, 1]");
    }
    return v;
  }

  static long atLeast(String name, long v, long min) {
    if (v < min) throw new IllegalArgumentException(name + "=" + v + " must be at least " + min);
    return v;
  }

  static double positive(String name, double v) {
    if (!(v > 0)) throw new IllegalArgumentException(name + "=" + v + " must be positive");
    return v;
  }

  static void ordered(String lowName, double low, String highName, double high) {
    if (low > high) {
      throw new IllegalArgumentException(lowName + "=" + low + " is above " + highName + "=" + high + "; swap or fix them");
    }
  }
}
