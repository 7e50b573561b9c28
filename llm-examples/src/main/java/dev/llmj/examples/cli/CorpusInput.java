package dev.llmj.examples.cli;

import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.ReaderOptions;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --input} and {@code --text-field} options shared by the commands that read a corpus. */
final class CorpusInput {

  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Files, folders or globs: .txt, .jsonl, tar; optionally .gz/.bz2/.xz/.zst.")
  List<Path> inputs;

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME",
      description = "JSONL field holding the text (default: ${DEFAULT-VALUE}).")
  String textField;

  CorpusReader open() {
    return Corpus.read(inputs, ReaderOptions.defaults().withTextField(textField));
  }

  /** Prints what the reader skipped (malformed lines, missing fields), so nothing is lost silently. */
  static void reportProblems(CorpusReader reader) {
    if (reader.problems().total() > 0) {
      System.err.println("input problems: " + reader.problems().counts());
      reader.problems().examples().stream().limit(5).forEach(p -> System.err.println("  " + p));
    }
  }
}
