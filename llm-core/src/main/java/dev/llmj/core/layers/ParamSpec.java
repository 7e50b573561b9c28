package dev.llmj.core.layers;

/**
 * One parameter tensor of a layer: its key in the layer's parameter table, its shape and how it is
 * initialised. Layers list their parameters in a fixed order; {@link ParamLayout} carves them as
 * consecutive c-order views of the network's one flat parameter buffer.
 */
record ParamSpec(String key, long[] shape, Kind kind, double std) {

  /** Matrices are weights (decayed, normal init); biases start at zero; norm gains start at one. */
  enum Kind { MATRIX, BIAS, GAIN }

  static ParamSpec matrix(String key, double std, long rows, long cols) {
    return new ParamSpec(key, new long[] {rows, cols}, Kind.MATRIX, std);
  }

  static ParamSpec bias(String key, long size) {
    return new ParamSpec(key, new long[] {size}, Kind.BIAS, 0);
  }

  static ParamSpec gain(String key, long size) {
    return new ParamSpec(key, new long[] {size}, Kind.GAIN, 0);
  }

  long length() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }
}
