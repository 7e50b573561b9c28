package dev.llmj.examples.cli;

import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llm tokenize}: a corpus into binary token shards for training. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Encode a corpus into binary token shards, each document followed by the tokenizer's "
        + "end-of-text token (<|endoftext|>, </s>, <eos>..., else tokenizer_config.json's eos_token).")
final class TokenizeCommand implements Callable<Integer> {

  @ArgGroup(exclusive = false, multiplicity = "1")
  CorpusInput input;

  @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
      description = "tokenizer.json(.gz), or a model folder with tokenizer.json or encoder.json + vocab.bpe.")
  Path tokenizer;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the shards (new or empty).")
  Path output;

  @Option(names = "--threads", paramLabel = "N", description = "Encoding threads (default: all cores).")
  Integer threads;

  @Option(names = "--shard-tokens", paramLabel = "N", description = "Tokens per shard file (default: 100M).")
  Long shardTokens;

  @Override
  public Integer call() throws IOException {
    Tokenizer tok = Tokenizers.load(tokenizer);
    TokenShards.Stats stats = tokenize(input, tok, output, threads, shardTokens);
    System.err.printf(Locale.ROOT, "%d documents, %d tokens, %.1f MB in %.1f s (%.0f tokens/s) -> %s%n",
        stats.documents(), stats.tokens(), stats.bytes() / 1e6, stats.seconds(), stats.tokensPerSecond(), output);
    return 0;
  }

  static TokenShards.Stats tokenize(CorpusInput input, Tokenizer tok, Path output, Integer threads, Long shardTokens) {
    TokenShards.Options opts = TokenShards.Options.defaults();
    if (threads != null) {
      opts = opts.withThreads(threads);
    }
    if (shardTokens != null) {
      opts = opts.withTokensPerShard(shardTokens);
    }
    try (CorpusReader reader = input.open();
        ProgressBar bar = ProgressBar.start("tokenize", 0, ProgressBar.Unit.BYTES)) {
      TokenShards.Stats stats = TokenShards.write(reader, tok, output,
          opts.withProgress((docs, bytes, tokens) -> bar.update(bytes, "docs=" + docs + " tokens=" + tokens)));
      CorpusInput.reportProblems(reader);
      return stats;
    }
  }
}
