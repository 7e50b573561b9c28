package dev.llmj.examples.cli;

import dev.llmj.kernels.StartupCheck;
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
    // The Vector API that the softmax, norm and loss loops use is an incubator module in Java 17 and
    // only counts at start-up, so the tool starts itself again with it (-Dllmj.relaunch=false skips
    // this). OpenBLAS's core type needs nothing here: llm-kernels sets it before ND4J loads OpenBLAS.
    java.util.Optional<java.util.List<String>> again = StartupCheck.relaunchCommand();
    if (again.isPresent()) {
      Process child = new ProcessBuilder(again.get()).inheritIO().start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
      System.exit(child.waitFor());
    }
    System.exit(run(args));
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
