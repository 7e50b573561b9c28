package dev.llmj.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Which kernel family the loaded OpenBLAS chose. OpenBLAS 0.3.19 (nd4j-native's) does not know
 * CPUs released after it, e.g. Sapphire and Emerald Rapids, and falls back to its SSE3
 * {@code Prescott} kernels, which run GEMM four to five times slower than the AVX-512 ones. The
 * choice is made when the library loads, from {@code OPENBLAS_CORETYPE} in the process
 * environment, so the only fix is to start the JVM with that variable set.
 *
 * <p>The exported {@code gotoblas} pointer names the chosen parameter table; comparing it with the
 * exported per-core tables gives the name without a native call.
 */
final class OpenBlasCore {

  private static final String[] CORES = {
      "PRESCOTT", "CORE2", "NEHALEM", "SANDYBRIDGE", "HASWELL", "ZEN", "SKYLAKEX", "COOPERLAKE",
      "SAPPHIRERAPIDS", "BARCELONA", "BULLDOZER", "PILEDRIVER", "STEAMROLLER", "EXCAVATOR", "ATOM",
      "KATMAI", "COPPERMINE", "NORTHWOOD", "BANIAS", "DUNNINGTON", "PENRYN", "OPTERON", "ATHLON"};

  private OpenBlasCore() {}

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
