package dev.llmj.examples.cli;

import dev.llmj.core.model.LanguageModel;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llm score}: mean next-token cross-entropy of a token sequence under a model. */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = {"Print loss=<mean next-token cross-entropy in nats> of a token id sequence.",
        "Example: llm score --model runs/a --ids \"464 3290 318 257\""})
final class ScoreCommand implements Callable<Integer> {

  @Mixin ModelOption model;

  @Option(names = "--ids", required = true, paramLabel = "IDS",
      description = "Token ids separated by spaces or commas; at least 2, at most the context length + 1.")
  String ids;

  @Override
  public Integer call() throws IOException {
    LanguageModel lm = model.load();
    int[] tokens = parseIds(ids, lm.config().vocabSize());
    System.out.println(String.format(Locale.ROOT, "loss=%.6f", lm.loss(tokens)));
    return 0;
  }

  /** @throws IllegalArgumentException naming the first value that is not an id of this vocabulary */
  static int[] parseIds(String text, int vocabSize) {
    String trimmed = text.strip();
    String[] parts = trimmed.isEmpty() ? new String[0] : trimmed.split("[\\s,]+");
    if (parts.length < 2) {
      throw new IllegalArgumentException("--ids needs at least 2 token ids (one to predict from, one to predict),"
          + " got " + parts.length + ": '" + text + "'");
    }
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      int id;
      try {
        id = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--ids value '" + parts[i] + "' at position " + i
            + " is not an integer token id");
      }
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("--ids value " + id + " at position " + i
            + " is outside the model's vocabulary [0, " + vocabSize + ")");
      }
      out[i] = id;
    }
    return out;
  }
}
