package dev.llmj.examples.cli;

import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenizer train|encode}. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
    description = "Train a byte-level BPE tokenizer, or encode text with one.",
    subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a byte-level BPE tokenizer and write it as Hugging Face tokenizer.json.")
  static final class Train implements Callable<Integer> {

    @ArgGroup(exclusive = false, multiplicity = "1")
    CorpusInput input;

    @Option(names = "--vocab-size", required = true, paramLabel = "N",
        description = "Target vocabulary size, special tokens included.")
    int vocabSize;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "tokenizer.json to write.")
    Path output;

    @Option(names = "--min-frequency", defaultValue = "2", paramLabel = "N",
        description = "Smallest pair count that may merge (default: ${DEFAULT-VALUE}).")
    int minFrequency;

    @Option(names = "--special", paramLabel = "TOKEN", split = ",",
        description = "Special tokens (default: <|endoftext|>).")
    List<String> special;

    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
      BpeTrainer.Config cfg = BpeTrainer.Config.of(vocabSize).withMinFrequency(minFrequency);
      if (special != null) {
        cfg = cfg.withSpecialTokens(special);
      }
      if (threads != null) {
        cfg = cfg.withThreads(threads);
      }
      long start = System.nanoTime();
      BpeTokenizer tok;
      try (CorpusReader reader = input.open();
          ProgressBar bar = ProgressBar.start("read", 0, ProgressBar.Unit.COUNT)) {
        tok = new BpeTrainer(cfg).train(reader.texts(bar));
        CorpusInput.reportProblems(reader);
      }
      tok.save(output);
      System.err.printf(Locale.ROOT, "trained %d ids in %.1f s -> %s%n", tok.vocabSize(),
          (System.nanoTime() - start) / 1e9, output);
      return 0;
    }
  }

  @Command(name = "encode", mixinStandardHelpOptions = true,
      description = "Print the token ids of each line of a text file, one line of space-separated ids per line.")
  static final class Encode implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
        description = "tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe.")
    Path tokenizer;

    @Option(names = "--input", required = true, paramLabel = "FILE",
        description = "UTF-8 text file (optionally .gz/.bz2/.xz/.zst); each line is encoded without its newline.")
    Path input;

    @Option(names = "--count", description = "Print only the total number of tokens.")
    boolean count;

    @Option(names = "--allow-special", description = "Recognise special tokens such as <|endoftext|> in the text.")
    boolean allowSpecial;

    private static final int BATCH = 4096;

    @Override
    public Integer call() throws IOException {
      BpeTokenizer tok = Tokenizers.load(tokenizer);
      long total = 0;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
              dev.llmj.data.io.Corpus.openDecompressed(input), StandardCharsets.UTF_8), 1 << 16);
          Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
        List<String> lines = new ArrayList<>(BATCH);
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
          if (lines.size() == BATCH) {
            total += emit(tok, lines, out);
            lines.clear();
          }
        }
        total += emit(tok, lines, out);
        if (count) {
          out.write(Long.toString(total));
          out.write('\n');
        }
      }
      return 0;
    }

    private long emit(BpeTokenizer tok, List<String> lines, Writer out) throws IOException {
      List<int[]> encoded;
      if (allowSpecial) {
        encoded = new ArrayList<>(lines.size());
        for (String l : lines) {
          encoded.add(tok.encode(l, true));
        }
      } else {
        encoded = tok.encodeBatch(lines);
      }
      long n = 0;
      StringBuilder sb = new StringBuilder();
      for (int[] ids : encoded) {
        n += ids.length;
        if (count) {
          continue;
        }
        sb.setLength(0);
        for (int i = 0; i < ids.length; i++) {
          if (i > 0) {
            sb.append(' ');
          }
          sb.append(ids[i]);
        }
        sb.append('\n');
        out.append(sb);
      }
      return n;
    }
  }
}
