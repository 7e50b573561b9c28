package dev.llmj.examples.cli;

import dev.llmj.core.dist.Collectives;
import dev.llmj.kernels.StartupCheck;
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
    // The Vector API that the softmax, norm and loss loops use is an incubator module in Java 17 and
    // only counts at start-up, so the tool starts itself again with it (-Dllmj.relaunch=false skips
    // this). OpenBLAS's core type needs nothing here: llm-kernels sets it before ND4J loads OpenBLAS.
    // prepare --engine spark starts itself again with Spark's jars when they are not on the class path.
    java.util.Optional<java.util.List<String>> again = SparkJars.relaunchCommand(args);
    if (again.isEmpty()) again = StartupCheck.relaunchCommand();
    if (again.isPresent()) {
      java.util.List<String> cmd = withThroughputCollector(again.get(),
          java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
      Process child = new ProcessBuilder(cmd).inheritIO().start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
      System.exit(child.waitFor());
    }
    // One rank of several (mpirun, srun): leaves the job on success, and on a failure ends every rank
    // rather than leaving them waiting for this one; errors picocli does not handle (OutOfMemoryError) too.
    int status = EXIT_FAILURE;
    try {
      status = run(args);
    } catch (Throwable t) {
      System.err.print(Collectives.rankLabel());
      t.printStackTrace();
    } finally {
      Collectives.exit(status);
    }
  }

  /**
   * {@code cmd} (a java command line) with the throughput collector, {@code -XX:+UseParallelGC}, after
   * the executable, unless {@code jvmArgs} (this JVM's options, {@code JAVA_TOOL_OPTIONS} included,
   * which the child inherits) already choose a collector. The tool's commands are batch jobs with no
   * pause-time goal; on {@code llm prepare} of the mail corpus the throughput collector spends less CPU
   * than G1, the JVM's default (benchmarks/README.md, 2026-12-03).
   */
  static java.util.List<String> withThroughputCollector(java.util.List<String> cmd, java.util.List<String> jvmArgs) {
    if (jvmArgs.stream().anyMatch(a -> a.matches("-XX:[+-]Use\\w*GC"))) return cmd;
    java.util.List<String> out = new java.util.ArrayList<>(cmd);
    out.add(1, "-XX:+UseParallelGC");
    return out;
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
        cmd.getErr().println(Collectives.rankLabel() + "llm " + cmd.getCommandName() + ": " + message(ex));
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
