package dev.llmj.examples.cli;

import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.tokenizer.BpeTrainer;
import dev.llmj.data.tokenizer.LineEncoder;
import dev.llmj.data.tokenizer.PipelineTokenizer;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenizer train|encode}. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
    description = "Train a BPE tokenizer, or encode text with any tokenizer.json.",
    subcommands = {TokenizerCommand.Train.class, TokenizerCommand.Encode.class})
final class TokenizerCommand {

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a BPE tokenizer (byte-level or Metaspace) and write it as Hugging Face tokenizer.json.")
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
        description = "Special tokens (default: <|endoftext|>; Metaspace: <unk>,<s>,</s>).")
    List<String> special;

    @Option(names = "--style", defaultValue = "BYTE_LEVEL", paramLabel = "STYLE",
        description = "BYTE_LEVEL (GPT-2, Llama 3, Qwen) or METASPACE (Llama 2, Mistral: \u2581 for spaces, "
            + "byte fallback); default: ${DEFAULT-VALUE}.")
    BpeTrainer.Style style;

    @Option(names = "--pattern", paramLabel = "REGEX",
        description = "Byte-level split pattern: gpt2 (default), llama3, or a regular expression as in tokenizer.json.")
    String pattern;

    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
      BpeTrainer.Config cfg = (style == BpeTrainer.Style.METASPACE ? BpeTrainer.Config.metaspace(vocabSize)
          : BpeTrainer.Config.of(vocabSize)).withMinFrequency(minFrequency);
      if (pattern != null) {
        cfg = cfg.withPattern(pattern.equals("gpt2") ? BpeTrainer.GPT2_PATTERN
            : pattern.equals("llama3") ? BpeTrainer.LLAMA3_PATTERN : pattern);
      }
      if (special != null) {
        cfg = cfg.withSpecialTokens(special);
      }
      if (threads != null) {
        cfg = cfg.withThreads(threads);
      }
      long start = System.nanoTime();
      PipelineTokenizer tok;
      try (CorpusReader reader = input.open();
          ProgressBar bar = ProgressBar.start("read", 0, ProgressBar.Unit.COUNT)) {
        tok = new BpeTrainer(cfg).trainPipeline(reader.texts(bar));
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
        description = "tokenizer.json(.gz), or a model folder with tokenizer.json or encoder.json + vocab.bpe.")
    Path tokenizer;

    @Option(names = "--input", required = true, paramLabel = "FILE",
        description = "UTF-8 text file (optionally .gz/.bz2/.xz/.zst); each line is encoded without its newline.")
    Path input;

    @Option(names = "--count", description = "Print only the total number of tokens.")
    boolean count;

    @Option(names = "--add-special-tokens",
        description = "Add the tokenizer's special tokens (its post-processor, e.g. Llama's <s>), "
            + "as Hugging Face's add_special_tokens=True. Special tokens written in the text are always recognised.")
    boolean addSpecialTokens;

    @Override
    public Integer call() throws IOException {
      Tokenizer tok = Tokenizers.load(tokenizer);
      try (Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
        LineEncoder.encode(tok, input, out, addSpecialTokens, count);
      }
      return 0;
    }
  }
}
