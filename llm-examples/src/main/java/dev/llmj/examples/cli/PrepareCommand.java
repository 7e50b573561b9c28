package dev.llmj.examples.cli;

import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.JsonlShardWriter;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.PipelineConfig;
import dev.llmj.data.pipeline.PipelineStats;
import dev.llmj.data.shard.TokenShardSink;
import dev.llmj.data.spark.SparkPrepare;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llm prepare}: raw corpora in, clean JSONL shards out, with a stats report.
 *
 * <pre>
 * java -jar llm.jar prepare --input mail/*.jsonl.gz books/ --output clean/ --config pipeline.json
 * java -jar llm.jar prepare --input mail/ --output clean/ --tokenizer tok/tokenizer.json   # + clean/tokens/
 * java -jar llm.jar prepare --engine spark --master 'local[2]' --input web/*.parquet --output clean/
 * </pre>
 */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Clean raw text for pre-training: normalize, deduplicate (exact and MinHash), filter (Gopher and more),"
          + " redact PII, and write JSONL shards plus stats.json into the output folder.",
      "Bad lines and files are counted in the report and skipped; the exit code is non-zero only with --strict"
          + " or when an input cannot be opened.",
      "With --tokenizer the kept documents are also tokenized, in order, into binary token shards in DIR/tokens"
          + " (each document followed by <|endoftext|>), ready for training; --tokens-only skips the JSONL shards."
    })
public final class PrepareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--input", arity = "1..*", required = true, paramLabel = "PATH",
      description = "Files, folders or globs: .txt, .jsonl, tar, optionally .gz/.bz2/.xz/.zst;"
          + " with --engine spark also .parquet and Hadoop URIs (hdfs://, s3a://).")
  List<String> inputs;

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "Folder for shards and stats.json (with --engine spark: empty or new, or a Hadoop URI).")
  String output;

  @Option(names = "--engine", defaultValue = "local", paramLabel = "ENGINE",
      description = "local (this process, default) or spark (Apache Spark: the same output, one task per input file).")
  String engine;

  @Option(names = "--master", paramLabel = "URL",
      description = "With --engine spark: the Spark master, e.g. 'local[2]'; default: the one spark-submit sets.")
  String master;

  @Option(names = "--config", paramLabel = "FILE", description = "Pipeline JSON (reader, steps, output); default: the default pipeline.")
  Path config;

  @Option(names = "--strict", description = "Stop at the first bad line or file instead of counting it.")
  boolean strict;

  @Option(names = "--threads", defaultValue = "0", description = "Worker threads; 0 = all cores (default).")
  int threads;

  @Option(names = "--tokenizer", paramLabel = "PATH",
      description = "Also write token shards into DIR/tokens: tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe.")
  Path tokenizer;

  @Option(names = "--tokens-only", description = "With --tokenizer: write only the token shards, no JSONL shards.")
  boolean tokensOnly;

  @Option(names = "--shard-tokens", paramLabel = "N", description = "Tokens per token shard (default 100M).")
  Long shardTokens;

  @Override
  public Integer call() throws IOException {
    if (tokensOnly && tokenizer == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--tokens-only needs --tokenizer PATH");
    }
    if (!engine.equals("local") && !engine.equals("spark")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--engine is '" + engine + "'; use local or spark");
    }
    if (engine.equals("spark")) return onSpark();
    if (master != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--master needs --engine spark");
    }
    Path output = Path.of(this.output);
    List<Path> inputs = this.inputs.stream().map(Path::of).toList();
    Tokenizer tok = tokenizer == null ? null : Tokenizers.load(tokenizer);
    PipelineConfig cfg = config == null ? PipelineConfig.defaults() : PipelineConfig.fromFile(config);
    ReaderOptions reader = cfg.reader().withStrict(strict);
    PipelineConfig.Output out = cfg.output();
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    ProgressBar bar = ProgressBar.start("prepare", 0, ProgressBar.Unit.BYTES);
    Pipeline pipeline = Pipeline.builder().steps(cfg.steps()).threads(n)
        .progress((pass, passes, docs, bytes, seconds) ->
            bar.update(bytes, String.format(java.util.Locale.ROOT, "pass %d/%d docs=%,d (%,.0f/s)", pass, passes, docs,
                docs / Math.max(seconds, 1e-3))))
        .build();
    Files.createDirectories(output);
    PipelineStats stats;
    TokenShards.Stats tokenStats = null;
    try (DocumentSink jsonl = tokensOnly ? DocumentSink.discard()
            : JsonlShardWriter.create(output, "part", out.shardBytes(), out.compression());
        TokenShardSink tokens = tok == null ? null : TokenShardSink.open(output.resolve("tokens"), tok, tokenOptions(n));
        DocumentSink rejected = out.writeRejected()
            ? JsonlShardWriter.create(output.resolve("rejected"), "rejected", out.shardBytes(), out.compression())
            : null) {
      stats = pipeline.run(() -> Corpus.read(inputs, reader), tokens == null ? jsonl : both(jsonl, tokens), rejected);
      if (tokens != null) {
        tokens.close(); // waits for the last shard and index.json
        tokenStats = tokens.stats();
      }
    } finally {
      bar.close();
    }
    Files.writeString(output.resolve("stats.json"), stats.toJson());
    PrintWriter o = spec.commandLine().getOut();
    o.print(stats.toTable());
    if (tokenStats != null) {
      o.printf(java.util.Locale.ROOT, "tokens: %,d documents, %,d tokens (%.2f bytes/token) in %s%n", tokenStats.documents(),
          tokenStats.tokens(), (double) tokenStats.bytes() / Math.max(1, tokenStats.tokens()), output.resolve("tokens"));
    }
    o.println("stats: " + output.resolve("stats.json"));
    o.flush();
    return 0;
  }

  /** The same run on Apache Spark; the pipeline file goes to the executors as its text. */
  private int onSpark() throws IOException {
    if (tokensOnly) throw new UnsupportedOperationException("--tokens-only is not supported with --engine spark; drop it");
    if (!SparkJars.sparkPresent()) throw new IllegalStateException(SparkJars.missingMessage());
    String json = config == null ? "{}" : Files.readString(config);
    dev.llmj.data.pipeline.PipelineConfig.fromJson(json, config == null ? "default pipeline" : config.toString());
    SparkPrepare.Job job = SparkPrepare.Job.of(inputs, output).withPipeline(json).withStrict(strict)
        .withTokenizer(tokenizer == null ? null : tokenizer.toString(), shardTokens == null ? 0 : shardTokens);
    // Spark's and Hadoop's start-up chatter at INFO hides the report; -D on the command line overrides this.
    for (String quiet : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop")) {
      String key = "org.slf4j.simpleLogger.log." + quiet;
      if (System.getProperty(key) == null) System.setProperty(key, "warn");
    }
    org.apache.spark.sql.SparkSession.Builder b = org.apache.spark.sql.SparkSession.builder().appName("llm prepare");
    if (master != null) b.master(master);
    org.apache.spark.sql.SparkSession spark = b.getOrCreate();
    SparkPrepare.Result r;
    try {
      r = SparkPrepare.run(spark, job);
    } finally {
      spark.stop();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.print(r.stats().toTable());
    if (tokenizer != null) o.printf(java.util.Locale.ROOT, "tokens: %,d in %s/tokens/part-*%n", r.tokens(), output);
    o.println("stats: " + output + "/stats.json");
    o.flush();
    return 0;
  }

  private TokenShards.Options tokenOptions(int threads) {
    TokenShards.Options o = TokenShards.Options.defaults().withThreads(threads);
    return shardTokens == null ? o : o.withTokensPerShard(shardTokens);
  }

  /** Hands each kept document to the JSONL shards and then to the token shards. */
  private static DocumentSink both(DocumentSink first, DocumentSink second) {
    return new DocumentSink() {
      @Override
      public void accept(dev.llmj.data.Document d) {
        first.accept(d);
        second.accept(d);
      }

      @Override
      public void close() {}
    };
  }
}
