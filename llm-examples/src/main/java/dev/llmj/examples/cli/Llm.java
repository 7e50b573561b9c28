package dev.llmj.examples.cli;

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
      BenchCommand.class,
    })
public final class Llm {

  /** Exit code for bad usage or bad input. */
  public static final int EXIT_USAGE = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the tool and returns its exit code; used by tests without exiting the JVM. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Llm());
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof java.io.UncheckedIOException
              || ex instanceof java.io.IOException) {
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
