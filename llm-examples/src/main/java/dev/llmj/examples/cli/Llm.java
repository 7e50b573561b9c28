package dev.llmj.examples.cli;

import dev.llmj.core.simd.FloatMath;
import dev.llmj.kernels.CpuKernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code llm} command-line tool: {@code java -jar llm.jar <command> [options]}.
 *
 * <p>Bad usage and bad input exit with code 2 and a one-line reason on stderr.
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
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof UnsupportedOperationException
              || ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
            cmd.getErr().println("llm " + cmd.getCommandName() + ": " + ex.getMessage());
            return EXIT_USAGE;
          }
          throw ex;
        });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Llm.class.getPackage().getImplementationVersion();
      return new String[] {"llm " + (v == null ? "dev" : v)};
    }
  }
}
