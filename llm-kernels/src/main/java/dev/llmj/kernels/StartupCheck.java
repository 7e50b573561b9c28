package dev.llmj.kernels;

import dev.llmj.core.dist.Collectives;
import dev.llmj.core.simd.FloatMath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this JVM runs at full speed by itself, what it would need a JVM option for, and the command line
 * that adds it. OpenBLAS's core type needs nothing from the user: llm-kernels sets
 * {@code OPENBLAS_CORETYPE} natively before ND4J loads OpenBLAS (see {@link CpuKernelProvider#openBlasSetup()}).
 * Only the softmax, norm, GELU and loss loops ({@link FloatMath}) depend on a JVM option: the Vector API
 * is an incubator module in Java 17, and without {@code --add-modules jdk.incubator.vector} they run
 * plain loops, except the softmax's exponential (the one the JIT does not vectorise, nearly all of the
 * difference), which llm-kernels then runs in native code ({@link CpuLoops}).
 *
 * <pre>{@code
 * List<String> missing = StartupCheck.missingJvmOptions();   // e.g. [--add-modules, jdk.incubator.vector]
 * StartupCheck.relaunchCommand().ifPresent(cmd -> ...);      // this JVM's command line with them
 * }</pre>
 */
public final class StartupCheck {

  /** System property: {@code false} stops {@link #relaunchCommand()} from proposing a new start. */
  public static final String RELAUNCH_PROPERTY = "llmj.relaunch";

  private StartupCheck() {}

  /** The JVM options this JVM lacks for the fast paths; empty when it has them all. */
  public static List<String> missingJvmOptions() {
    boolean simdOff = !"true".equals(System.getProperty(FloatMath.PROPERTY, "true"));
    if (simdOff || ModuleLayer.boot().findModule(FloatMath.MODULE).isPresent()) {
      return List.of();
    }
    return List.of("--add-modules", FloatMath.MODULE);
  }

  /**
   * This JVM's command line with {@link #missingJvmOptions()} added after the executable, for a tool that
   * starts itself again; empty when nothing is missing, when {@value #RELAUNCH_PROPERTY} is
   * {@code false}, where the platform does not report the command line (Linux does), or when {@code mpirun}
   * or {@code srun} started this JVM as one of several ranks: the launcher watches and signals the process
   * it started, so that one must do the work (add the options to the launched command instead).
   */
  public static Optional<List<String>> relaunchCommand() {
    List<String> missing = missingJvmOptions();
    if (missing.isEmpty() || "false".equals(System.getProperty(RELAUNCH_PROPERTY)) || Collectives.launchedAsRank()) {
      return Optional.empty();
    }
    ProcessHandle.Info info = ProcessHandle.current().info();
    if (info.command().isEmpty() || info.arguments().isEmpty()) {
      return Optional.empty();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(info.command().get());
    cmd.addAll(missing);
    cmd.addAll(List.of(info.arguments().get()));
    return Optional.of(cmd);
  }

  /**
   * One line on the CPU paths this JVM runs, e.g. {@code "openblas=SKYLAKEX (OPENBLAS_CORETYPE=SkylakeX
   * set by llm-kernels) attention=avx512 loops=plain, native exponential (avx512)"}, for a start-up log.
   * Loads ND4J's backend.
   */
  public static String summary(int headSize) {
    return "openblas=" + CpuKernelProvider.openBlasCore() + " (" + CpuKernelProvider.openBlasSetup() + ") attention="
        + CpuKernelProvider.attentionPath(headSize) + " loops=" + FloatMath.path();
  }
}
