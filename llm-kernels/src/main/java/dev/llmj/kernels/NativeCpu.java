package dev.llmj.kernels;

import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which attention code the CPU kernel runs: the native AVX-512 or AVX2 kernel ({@link LlmjCpu}) or
 * the Java tiles ({@link FlashTiles}). The library is loaded once per JVM; every failure becomes a
 * reason, logged once, and the Java path runs. System property {@value CpuKernelProvider#ISA_PROPERTY}: {@code auto}
 * (default: the widest this CPU has), {@code avx512}, {@code avx2} or {@code java}.
 */
final class NativeCpu {

  private static final Logger LOG = LoggerFactory.getLogger(NativeCpu.class);

  private NativeCpu() {}

  /**
   * The vector width in bits the native kernel runs for head size {@code d}, at most {@code cap}: 512,
   * or 256 where AVX-512 is missing or capped or {@code d} is no multiple of 16 floats; 0 (use Java)
   * where {@code d} is no multiple of 8 either or the native kernel cannot run.
   */
  static int isa(int d, int cap) {
    State s = State.INSTANCE;
    if (s.badSetting != null) {
      throw new IllegalArgumentException(s.badSetting);
    }
    int isa = Math.min(cap, s.isa);
    if (isa == 512 && d % 16 != 0) {
      isa = 256; // every AVX-512 CPU has AVX2 and FMA
    }
    return isa == 256 && d % 8 != 0 ? 0 : isa;
  }

  /** The widest vector path this JVM runs, in bits (512, 256, or 0 for Java), whatever the head size. */
  static int widest() {
    return State.INSTANCE.isa;
  }

  /** {@link #isa(int, int)} without a cap. */
  static int isa(int d) {
    return isa(d, 512);
  }

  /** {@code "avx512"}, {@code "avx2"} or {@code "java (why)"}, for head size {@code d}. */
  static String describe(int d) {
    State s = State.INSTANCE;
    return switch (isa(d)) {
      case 512 -> "avx512";
      case 256 -> "avx2";
      default -> "java (" + (s.isa > 0 ? "head size " + d + " is not a multiple of 8 floats" : s.problem) + ")";
    };
  }

  private record State(int isa, String problem, String badSetting) {

    static final State INSTANCE = load();

    private static State load() {
      String wanted = System.getProperty(CpuKernelProvider.ISA_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
      int cap = switch (wanted) {
        case "auto", "avx512" -> 512;
        case "avx2" -> 256;
        case "java" -> 0;
        default -> -1;
      };
      if (cap < 0) {
        return new State(0, null,
            "-D" + CpuKernelProvider.ISA_PROPERTY + "=" + wanted + " is not one of auto, avx512, avx2, java");
      }
      if (cap == 0) {
        return new State(0, "-D" + CpuKernelProvider.ISA_PROPERTY + "=java", null);
      }
      String library = Loader.getPlatform() + "/" + System.mapLibraryName("jni" + LlmjCpu.class.getSimpleName());
      int has;
      try {
        Loader.load(LlmjCpu.class);
        has = LlmjCpu.llmj_cpu_attention_isa();
      } catch (LinkageError | RuntimeException e) {
        String why = LlmjCpu.class.getResource(library) == null
            ? "this build of llm-kernels has no native library " + library + " (built without g++?)"
            : "the native library " + library + " failed to load: " + e;
        return unusable(why);
      }
      if (has == 0) {
        return unusable("this CPU has neither AVX-512 nor AVX2 with FMA");
      }
      if (wanted.equals("avx512") && has < 512) {
        return new State(0, null,
            "-D" + CpuKernelProvider.ISA_PROPERTY + "=avx512, but this CPU lacks AVX-512; use auto or avx2");
      }
      return new State(Math.min(cap, has), null, null);
    }

    private static State unusable(String why) {
      LOG.info("CPU attention runs its Java path: {}", why);
      return new State(0, why, null);
    }
  }
}
