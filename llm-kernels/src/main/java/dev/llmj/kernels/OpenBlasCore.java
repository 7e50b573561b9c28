package dev.llmj.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernel family the loaded OpenBLAS chose, and setting the one it should choose. OpenBLAS 0.3.19
 * (nd4j-native's) does not know CPUs released after it, e.g. Sapphire and Emerald Rapids, and falls
 * back to its SSE3 {@code Prescott} kernels, which run GEMM four to five times slower than the AVX-512
 * ones. It reads {@code OPENBLAS_CORETYPE} with {@code getenv} once, in the constructor that runs when
 * the library is loaded ({@code gotoblas_init} calls {@code gotoblas_dynamic_init} of
 * {@code driver/others/dynamic.c}; {@code OpenBlasCoreTest} shows it in a child JVM), so {@link #prepare()}
 * sets the variable natively before ND4J loads it: {@link BeforeNd4jLoads} calls it while ND4J looks
 * for its backend, and {@link #check()} fails at the kernels' first use when that came too late.
 *
 * <p>The exported {@code gotoblas} pointer names the chosen parameter table; comparing it with the
 * exported per-core tables gives the name without a native call.
 */
final class OpenBlasCore {

  private static final String[] CORES = {
      "PRESCOTT", "CORE2", "NEHALEM", "SANDYBRIDGE", "HASWELL", "ZEN", "SKYLAKEX", "COOPERLAKE",
      "SAPPHIRERAPIDS", "BARCELONA", "BULLDOZER", "PILEDRIVER", "STEAMROLLER", "EXCAVATOR", "ATOM",
      "KATMAI", "COPPERMINE", "NORTHWOOD", "BANIAS", "DUNNINGTON", "PENRYN", "OPTERON", "ATHLON"};

  /** The variable OpenBLAS reads. */
  static final String VARIABLE = "OPENBLAS_CORETYPE";

  /**
   * System property with the core type the library sets when the environment has no {@value #VARIABLE}:
   * a core name such as {@code Haswell}, or {@code none} to set nothing; default: {@link #forThisCpu()}.
   */
  static final String CORE_TYPE_PROPERTY = "llmj.openblas.coretype";

  /**
   * System property: {@code warn} turns the failure on a generic core that came too late to fix
   * ({@link #check()}) into a log warning.
   */
  static final String CHECK_PROPERTY = "llmj.openblas.check";

  private static final Logger LOG = LoggerFactory.getLogger(OpenBlasCore.class);

  /** What {@link #prepare()} did, for the message of {@link #check()}. */
  enum Preparation {
    /** Not run yet. */
    NONE,
    /** The environment had the variable when the JVM started: the user's choice stands. */
    USER,
    /** Nothing to set: no better core is known for this CPU, or {@code -Dllmj.openblas.coretype=none}. */
    NOT_NEEDED,
    /** Set natively by the library. */
    SET,
    /** The native library that sets it is missing or failed to load. */
    NO_NATIVE
  }

  private static Preparation preparation = Preparation.NONE;
  private static String setTo = "";
  private static boolean checked;

  private OpenBlasCore() {}

  /**
   * Sets {@value #VARIABLE} in the process environment to {@link #forThisCpu()} (or the value of
   * {@value #CORE_TYPE_PROPERTY}) unless it is set already; takes effect only if OpenBLAS has not been
   * loaded yet. Runs once per JVM; later calls return the first outcome.
   */
  static synchronized Preparation prepare() {
    if (preparation != Preparation.NONE) {
      return preparation;
    }
    if (System.getenv(VARIABLE) != null) {
      return preparation = Preparation.USER;
    }
    String value = System.getProperty(CORE_TYPE_PROPERTY, "").trim();
    if (value.isEmpty()) {
      value = forThisCpu();
    }
    if (value.isEmpty() || value.equalsIgnoreCase("none")) {
      return preparation = Preparation.NOT_NEEDED;
    }
    try {
      Loader.load(LlmjCpu.class);
      if (LlmjCpu.llmj_setenv_if_unset(VARIABLE, value) < 0) {
        return preparation = Preparation.NO_NATIVE;
      }
    } catch (LinkageError | RuntimeException e) {
      return preparation = Preparation.NO_NATIVE;
    }
    setTo = value;
    return preparation = Preparation.SET;
  }

  /**
   * Once per JVM, at the CPU kernels' first use: when OpenBLAS chose a generic core on a CPU that has
   * faster ones because it was loaded before the library could set the variable, throws
   * {@link IllegalStateException} with the fix ({@value #CHECK_PROPERTY}=warn logs it instead); logs it
   * where the user chose that core or this build has no native library to set it.
   */
  static synchronized void check() {
    if (checked) {
      return;
    }
    checked = true;
    prepare(); // where nothing ran before ND4J, this records why the variable is not there
    String chosen = name();
    problem(chosen, betterCoreType(chosen), preparation, setTo).ifPresent(message -> {
      if (tooLate(chosen, preparation, setTo) && !"warn".equals(System.getProperty(CHECK_PROPERTY))) {
        throw new IllegalStateException(message);
      }
      LOG.warn(message);
    });
  }

  /** For {@link CpuKernelProvider#openBlasSetup()}. */
  static synchronized String setup() {
    return switch (prepare()) {
      case SET -> VARIABLE + "=" + setTo + " set by llm-kernels";
      case USER -> VARIABLE + "=" + System.getenv(VARIABLE) + " from the environment";
      case NO_NATIVE -> VARIABLE + " not set: the native library of llm-kernels did not load";
      case NOT_NEEDED, NONE -> VARIABLE + " not set: " + (forThisCpu().isEmpty()
          ? "no AVX2 or AVX-512 in /proc/cpuinfo" : "-D" + CORE_TYPE_PROPERTY + "=none");
    };
  }

  /** True when the library set a core type that the loaded OpenBLAS did not take: it was loaded before. */
  static boolean tooLate(String chosen, Preparation prepared, String value) {
    return prepared == Preparation.NONE || prepared == Preparation.SET && !value.equalsIgnoreCase(chosen);
  }

  /**
   * The complaint about core {@code chosen} when {@code better} (non-empty) is known for this CPU, given
   * what {@link #prepare()} did and the value it set; empty when there is nothing to say.
   */
  static Optional<String> problem(String chosen, String better, Preparation prepared, String value) {
    if (better.isEmpty()) {
      return Optional.empty();
    }
    String head = "OpenBLAS chose its generic " + chosen + " kernels on this CPU, which has faster ones: GEMM runs"
        + " several times slower. ";
    String fix = "Start the JVM with the environment variable " + VARIABLE + "=" + better;
    return Optional.of(switch (prepared) {
      case USER -> head + "The environment sets " + VARIABLE + "=" + System.getenv(VARIABLE) + "; unset it or set "
          + VARIABLE + "=" + better + ".";
      case NO_NATIVE -> head + "llm-kernels sets " + VARIABLE + " itself with its native library, which did not"
          + " load (built with -Dllmj.cpu.skip=true?). " + fix + ".";
      case NOT_NEEDED -> head + "-D" + CORE_TYPE_PROPERTY + "=" + System.getProperty(CORE_TYPE_PROPERTY)
          + " set nothing. " + fix + ".";
      case SET, NONE -> !tooLate(chosen, prepared, value)
          ? head + "-D" + CORE_TYPE_PROPERTY + "=" + value + " asked for them. " + fix + "."
          : head + "llm-kernels set " + VARIABLE + "=" + value + " after OpenBLAS was already loaded"
          + " (some code loaded org.bytedeco.openblas before ND4J chose its backend). " + fix
          + ", or pass -D" + CHECK_PROPERTY + "=warn to run anyway.";
    });
  }

  /** The core name, e.g. {@code "SKYLAKEX"}, or {@code "unknown"} for a non-dynamic build. */
  static String name() {
    try {
      Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
      Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
      Pointer table = Loader.addressof("gotoblas");
      if (table == null || table.isNull()) {
        return "unknown";
      }
      long chosen = new LongPointer(table).get(0);
      for (String core : CORES) {
        Pointer p = Loader.addressof("gotoblas_" + core);
        if (p != null && p.address() == chosen) {
          return core;
        }
      }
      return "unknown";
    } catch (ClassNotFoundException | UnsatisfiedLinkError e) {
      return "unavailable";
    }
  }

  /**
   * The {@code OPENBLAS_CORETYPE} to set when OpenBLAS chose a generic core although this CPU has
   * AVX-512 or AVX2 ({@code /proc/cpuinfo} flags); empty when the choice looks right.
   */
  static String betterCoreType(String chosen) {
    if (!chosen.equals("PRESCOTT") && !chosen.equals("CORE2") && !chosen.equals("NEHALEM")
        && !chosen.equals("SANDYBRIDGE")) {
      return "";
    }
    return forThisCpu();
  }

  /**
   * The best {@code OPENBLAS_CORETYPE} for this CPU from its {@code /proc/cpuinfo} flags alone, without
   * loading OpenBLAS: {@code SkylakeX} with AVX-512, {@code Haswell} with AVX2 and FMA, else empty.
   */
  static String forThisCpu() {
    String flags = cpuFlags();
    if (flags.contains(" avx512f ") && flags.contains(" avx512bw ") && flags.contains(" avx512vl ")) {
      return "SkylakeX";
    }
    return flags.contains(" avx2 ") && flags.contains(" fma ") ? "Haswell" : "";
  }

  /** The flags line of /proc/cpuinfo, lower case, a space at each end; empty where there is none. */
  static String cpuFlags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("flags")) {
          return " " + line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT) + " ";
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: no advice rather than a wrong one
    }
    return "";
  }
}
