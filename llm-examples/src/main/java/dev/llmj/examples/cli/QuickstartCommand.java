package dev.llmj.examples.cli;

import dev.llmj.core.run.Quickstart;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm quickstart}: {@link Quickstart}, the whole path on the embedded State of the Union corpus, no
 * flags, no network, into one run folder.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Pre-train a small GPT on the embedded State of the Union corpus, end to end, into one run folder.")
final class QuickstartCommand implements Callable<Integer> {

  @Option(names = "--output", paramLabel = "DIR",
      description = "Run folder (default: runs/quickstart-<date>-<time>).")
  Path output;

  @Option(names = "--minutes", defaultValue = "10", paramLabel = "M",
      description = "Training time budget in minutes (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--vocab-size", defaultValue = "4096", paramLabel = "N",
      description = "Tokenizer vocabulary (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--layers", defaultValue = "4") int layers;
  @Option(names = "--heads", defaultValue = "4") int heads;
  @Option(names = "--d-model", defaultValue = "128") int dModel;
  @Option(names = "--seq-len", defaultValue = "128") int seqLen;
  @Option(names = "--batch", defaultValue = "16") int batch;
  @Option(names = "--lr", defaultValue = "3e-3") double lr;
  @Option(names = "--seed", defaultValue = "1337") long seed;

  @Override
  public Integer call() throws IOException {
    Quickstart.Result r = Quickstart.run(new Quickstart.Options(output != null ? output : Quickstart.defaultRunDir(),
        minutes, vocabSize, layers, heads, dModel, seqLen, batch, lr, seed), System.err);
    System.out.printf(Locale.ROOT, "val_loss=%.4f unigram_loss=%.4f bits_per_byte=%.4f steps=%d run=%s%n",
        r.valLoss(), r.unigramLoss(), r.bitsPerByte(), r.steps(), r.runDir());
    return 0;
  }
}
