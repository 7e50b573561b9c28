package dev.llmj.examples.cli;

import dev.llmj.core.simd.FloatMath;
import dev.llmj.kernels.CpuKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llm} command-line tool: {@code java -jar llm.jar <command> [options]}.
 *
 * <p>Exit codes: 0 on success; 2 ({@link #EXIT_USAGE}) for bad usage or bad input (an unknown option, a
 * value out of range, a missing or malformed input file), with a one-line reason on stderr; 1
 * ({@link #EXIT_FAILURE}) for a failure while running (an I/O error, a training step that went
 * non-finite), with a one-line reason, or a stack trace for an unexpected error.
 */
@Command(
    name = "llm",
    mixinStandardHelpOptions = true,
    versionProvider = Llm.Version.class,
    description = "Pre-train language models on the JVM: data, tokenizer, model, trainer.",
    subcommands = {
      CommandLine.HelpCommand.class,
      TokenizerCommand.class,
      TokenizeCommand.class,
      PrepareCommand.class,
      QuickstartCommand.class,
      ScoreCommand.class,
      EvaluateCommand.class,
      GenerateCommand.class,
      UpscaleCommand.class,
      BenchCommand.class,
      EstimateCommand.class,
      PretrainCommand.class,
      ReportCommand.class,
    })
public final class Llm {

  /** Exit code for bad usage or bad input. */
  public static final int EXIT_USAGE = 2;

  /** Exit code for a failure while running. */
  public static final int EXIT_FAILURE = 1;

  public static void main(String[] args) throws Exception {
    java.util.Optional<String> core = CpuKernels.recommendedCoreType();
    java.util.Optional<java.util.List<String>> self = currentCommandLine();
    boolean setCore = System.getenv("OPENBLAS_CORETYPE") == null && core.isPresent();
    boolean addVector = ModuleLayer.boot().findModule(FloatMath.MODULE).isEmpty();
    if ((setCore || addVector) && self.isPresent() && !"false".equals(System.getProperty("llmj.relaunch"))) {
      // Two settings only count at start-up, so the tool starts itself again with them:
      // OpenBLAS picks its kernels once, when it loads, and nd4j-native's 0.3.19 mistakes recent CPUs
      // for SSE3-only ones (GEMM 4x slower); the Vector API that the softmax and norm loops use is an
      // incubator module in Java 17. -Dllmj.relaunch=false skips this.
      java.util.List<String> cmd = new java.util.ArrayList<>(self.get());
      if (addVector) {
        cmd.addAll(1, java.util.List.of("--add-modules", FloatMath.MODULE));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      if (setCore) {
        pb.environment().put("OPENBLAS_CORETYPE", core.get());
      }
      Process child = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
      System.exit(child.waitFor());
    }
    System.exit(run(args));
  }

  /** This JVM's own command line, where the platform reports it (Linux does). */
  private static java.util.Optional<java.util.List<String>> currentCommandLine() {
    ProcessHandle.Info info = ProcessHandle.current().info();
    if (info.command().isEmpty() || info.arguments().isEmpty()) {
      return java.util.Optional.empty();
    }
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(info.command().get());
    cmd.addAll(java.util.List.of(info.arguments().get()));
    return java.util.Optional.of(cmd);
  }

  /** Runs the tool and returns its exit code; used by tests without exiting the JVM. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Llm());
    // picocli answers its own parameter errors (unknown option, bad value) with exitCodeOnInvalidInput = 2
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      int code = exitCode(ex);
      if (code == EXIT_FAILURE && !(ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
          || ex instanceof IllegalStateException)) {
        ex.printStackTrace(cmd.getErr()); // a bug: its stack trace is the report
      } else {
        cmd.getErr().println("llm " + cmd.getCommandName() + ": " + message(ex));
      }
      return code;
    });
    return cli.execute(args);
  }

  /**
   * 2 for bad input: {@link IllegalArgumentException}, {@link UnsupportedOperationException} and a
   * named input file that does not exist; 1 for everything that fails while running.
   */
  static int exitCode(Throwable ex) {
    Throwable cause = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
    if (cause instanceof IllegalArgumentException || cause instanceof UnsupportedOperationException
        || cause instanceof java.nio.file.NoSuchFileException) {
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }

  private static String message(Throwable ex) {
    Throwable cause = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
    if (cause instanceof java.nio.file.NoSuchFileException f) {
      return "no such file: " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Llm.class.getPackage().getImplementationVersion();
      return new String[] {"llm " + (v == null ? "dev" : v)};
    }
  }
}
