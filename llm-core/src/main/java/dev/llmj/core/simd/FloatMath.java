package dev.llmj.core.simd;

/**
 * The element-wise float loops of the hot paths (softmax rows, norm rows), each over a range
 * {@code [from, to)} of a {@code float[]}. Two implementations give the same results to float
 * rounding: SIMD code on the JDK's Vector API, whose {@code exp} compiles to the CPU's vector
 * instructions (about 20 times the scalar loop on an AVX-512 core), and plain loops.
 *
 * <p>The Vector API is an incubator module in Java 17: start the JVM with
 * {@code --add-modules jdk.incubator.vector} to get the fast path (the {@code llm} tool does this
 * itself). Without the module, or with {@code -Dllmj.simd=false}, or on a CPU with vectors of fewer than
 * 8 floats (where the module's {@code exp} falls back to a slow scalar call per lane), the plain loops run;
 * without the module, the softmax's exponential, the one loop the JIT does not vectorise, then runs
 * native code where llm-kernels provides it ({@link NativeLoops}; {@link #path()} says which).
 *
 * <pre>{@code
 * float max = FloatMath.max(row, 0, n);
 * float sum = FloatMath.expShiftSum(row, 0, n, max);   // row[i] = exp(row[i] - max)
 * FloatMath.scale(row, 0, n, 1 / sum);                 // softmax
 * }</pre>
 */
public final class FloatMath {

  /** The JDK module of the Vector API, for {@code --add-modules}. */
  public static final String MODULE = "jdk.incubator.vector";

  /** System property that turns the Vector API path off ({@code -Dllmj.simd=false}). */
  public static final String PROPERTY = "llmj.simd";

  private static final boolean SIMD = simdUsable();

  /** The softmax's exponential where the Vector API path does not run (null: the plain loop). */
  private static final NativeLoops NATIVE = SIMD ? null : nativeLoops();

  static {
    if (!SIMD && !whyNotSimd().startsWith("-D")) {
      org.slf4j.LoggerFactory.getLogger(FloatMath.class).info("Softmax, norm and loss loops run without SIMD: {}"
          + (NATIVE != null ? " (the softmax's exponential runs native " + NATIVE.name() + " code)" : "")
          + ". Start the JVM with --add-modules jdk.incubator.vector for the fast path.", whyNotSimd());
    }
  }

  private FloatMath() {}

  /** True when the Vector API path runs (see the class comment). */
  public static boolean simd() {
    return SIMD;
  }

  /**
   * Why the plain loops run, or empty when the Vector API path does; e.g. for a startup log line.
   */
  public static String whyNotSimd() {
    if (SIMD) {
      return "";
    }
    if (!"true".equals(System.getProperty(PROPERTY, "true"))) {
      return "-D" + PROPERTY + "=" + System.getProperty(PROPERTY);
    }
    if (!moduleLoaded()) {
      return "the JVM was started without --add-modules jdk.incubator.vector";
    }
    return "this CPU's vectors hold fewer than 8 floats";
  }

  /**
   * Which code the loops run: {@code "vector (16 floats)"}, {@code "plain, native exponential (avx512)"}
   * (the Vector API is absent, llm-kernels' native code runs the softmax's exponential) or {@code "plain"}.
   */
  public static String path() {
    return SIMD ? "vector (" + lanes() + " floats)" : NATIVE != null ? "plain, native exponential (" + NATIVE.name() + ")"
        : "plain";
  }

  private static NativeLoops nativeLoops() {
    if (!"true".equals(System.getProperty(PROPERTY, "true"))) {
      return null; // -Dllmj.simd=false asks for the plain reference loops
    }
    try {
      for (NativeLoops loops : java.util.ServiceLoader.load(NativeLoops.class, FloatMath.class.getClassLoader())) {
        if (loops.usable()) {
          return loops;
        }
      }
    } catch (java.util.ServiceConfigurationError | LinkageError e) {
      // no usable native code: the plain loop runs
    }
    return null;
  }

  private static boolean moduleLoaded() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  private static boolean simdUsable() {
    if (!"true".equals(System.getProperty(PROPERTY, "true")) || !moduleLoaded()) {
      return false;
    }
    try {
      return VectorLoops.lanes() >= 8;
    } catch (LinkageError e) {
      return false;
    }
  }

  /**
   * Floats per step of the loops: 8 or 16 on the SIMD path, 1 on the plain one. A range whose length is
   * a multiple of it runs without a scalar tail, which costs far more per element than the vector body.
   */
  public static int lanes() {
    return SIMD ? VectorLoops.lanes() : 1;
  }

  /** The largest element of {@code a[from, to)}; -infinity when the range is empty. */
  public static float max(float[] a, int from, int to) {
    return SIMD ? VectorLoops.max(a, from, to) : PlainLoops.max(a, from, to);
  }

  /** Replaces {@code a[i]} by {@code exp(a[i] - shift)} over the range and returns their sum. */
  public static float expShiftSum(float[] a, int from, int to, float shift) {
    return SIMD ? VectorLoops.expShiftSum(a, from, to, shift)
        : NATIVE != null ? NATIVE.expShiftSum(a, from, to, shift) : PlainLoops.expShiftSum(a, from, to, shift);
  }

  /** Multiplies {@code a[from, to)} by {@code s}. */
  public static void scale(float[] a, int from, int to, float s) {
    if (SIMD) {
      VectorLoops.scale(a, from, to, s);
    } else {
      PlainLoops.scale(a, from, to, s);
    }
  }

  /**
   * The softmax gradient of one attention row from its saved log-sum-exp: {@code p = exp(s - lse)}
   * into {@code s} and {@code ds = p (ds - delta)}, both over {@code [from, to)}.
   */
  public static void softmaxGradient(float[] s, float[] ds, int from, int to, float lse, float delta) {
    if (SIMD) {
      VectorLoops.softmaxGradient(s, ds, from, to, lse, delta);
    } else {
      PlainLoops.softmaxGradient(s, ds, from, to, lse, delta);
    }
  }

  /** {@code sum(a[ao + i] * b[bo + i])} for i in [0, n). */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    return SIMD ? VectorLoops.dot(a, ao, b, bo, n) : PlainLoops.dot(a, ao, b, bo, n);
  }

  /** {@code sum(a[from, to))}. */
  public static float sum(float[] a, int from, int to) {
    return SIMD ? VectorLoops.sum(a, from, to) : PlainLoops.sum(a, from, to);
  }

  /** {@code sum((a[i] - mean)^2)} over {@code [from, to)}. */
  public static float sumSquaredDeviation(float[] a, int from, int to, float mean) {
    return SIMD ? VectorLoops.sumSquaredDeviation(a, from, to, mean) : PlainLoops.sumSquaredDeviation(a, from, to, mean);
  }

  /**
   * A norm's row: {@code xhat = (x - mean) * rstd} and {@code y = xhat * gain + bias} (bias may be
   * null), for the {@code n} elements starting at {@code o} of x, xhat and y, and at 0 of gain and bias.
   */
  public static void normRow(float[] x, int o, int n, float mean, float rstd, float[] gain, float[] bias,
      float[] xhat, float[] y) {
    if (SIMD) {
      VectorLoops.normRow(x, o, n, mean, rstd, gain, bias, xhat, y);
    } else {
      PlainLoops.normRow(x, o, 0, n, mean, rstd, gain, bias, xhat, y);
    }
  }

  /**
   * A norm's backward row, first pass: adds {@code dy * xhat} to {@code dGain} and {@code dy} to
   * {@code dBias} (may be null; both from index 0), and writes {@code sum(dy * gain)} to {@code sums[0]}
   * and {@code sum(dy * gain * xhat)} to {@code sums[1]}.
   */
  public static void normGradientSums(float[] dy, float[] xhat, int o, int n, float[] gain, float[] dGain,
      float[] dBias, float[] sums) {
    if (SIMD) {
      VectorLoops.normGradientSums(dy, xhat, o, n, gain, dGain, dBias, sums);
    } else {
      sums[0] = 0f;
      sums[1] = 0f;
      PlainLoops.normGradientSums(dy, xhat, o, 0, n, gain, dGain, dBias, sums);
    }
  }

  /** A norm's backward row, second pass: {@code dx = (dy * gain - meanG - xhat * meanGx) * rstd}. */
  public static void normGradientRow(float[] dy, float[] xhat, int o, int n, float[] gain, float meanG,
      float meanGx, float rstd, float[] dx) {
    if (SIMD) {
      VectorLoops.normGradientRow(dy, xhat, o, n, gain, meanG, meanGx, rstd, dx);
    } else {
      PlainLoops.normGradientRow(dy, xhat, o, 0, n, gain, meanG, meanGx, rstd, dx);
    }
  }

  /**
   * GELU, tanh form, of {@code x[0, n)}: {@code t = tanh(sqrt(2/pi) (x + 0.044715 x^3))} and
   * {@code g = 0.5 x (1 + t)}. The plain path evaluates tanh as a rational function (within 4e-7).
   */
  public static void gelu(float[] x, float[] g, float[] t, int n) {
    if (SIMD) {
      VectorLoops.gelu(x, g, t, n);
    } else {
      PlainLoops.gelu(x, g, t, 0, n);
    }
  }

  /** {@code dx = dy * gelu'(x)} over {@code [0, n)}, from the forward's tanh {@code t}. */
  public static void geluBackward(float[] x, float[] t, float[] dy, float[] dx, int n) {
    if (SIMD) {
      VectorLoops.geluBackward(x, t, dy, dx, n);
    } else {
      PlainLoops.geluBackward(x, t, dy, dx, 0, n);
    }
  }
}
