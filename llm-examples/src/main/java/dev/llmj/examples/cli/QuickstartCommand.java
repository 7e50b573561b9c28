package dev.llmj.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.run.RunReport;
import dev.llmj.core.run.StepBudget;
import dev.llmj.core.train.Evaluation;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.io.JsonlShardWriter;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.Compression;
import dev.llmj.data.pipeline.ExactDedupConfig;
import dev.llmj.data.pipeline.MinHashConfig;
import dev.llmj.data.pipeline.NormalizeConfig;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.PipelineStats;
import dev.llmj.data.pipeline.Steps;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.ShardIndex;
import dev.llmj.data.shard.ShardReader;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm quickstart}: the whole path on the embedded State of the Union corpus, no flags, no network.
 * Clean and deduplicate, train a BPE tokenizer, tokenize and pack, pre-train a small GPT for a bounded
 * time, evaluate it on held-out text against a unigram baseline, and sample from it. Everything lands in
 * one run folder.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Pre-train a small GPT on the embedded State of the Union corpus, end to end, into one run folder.")
final class QuickstartCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PROMPTS = List.of(
      "Fellow citizens of the Senate and House of Representatives:",
      "The state of the Union is",
      "Our economy");

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
    if (!(minutes > 0)) {
      throw new IllegalArgumentException("--minutes " + minutes + " must be positive");
    }
    Path run = output != null ? output
        : Path.of("runs", "quickstart-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    if (Files.exists(run) && Files.list(run).findAny().isPresent()) {
      throw new IllegalArgumentException("run folder " + run + " is not empty; pass a new --output");
    }
    Files.createDirectories(run);
    ObjectNode summary = JSON.createObjectNode();
    System.err.println("run folder: " + run.toAbsolutePath());

    // 1. Data: the embedded corpus, normalized and deduplicated (exact and MinHash).
    Path raw = EmbeddedCorpus.SOTU.copyTo(run.resolve("data"));
    Path clean = run.resolve("data/clean");
    stage("1/6 clean and deduplicate " + raw.getFileName());
    PipelineStats dataStats = clean(raw, clean);
    Files.writeString(run.resolve("data/stats.json"), dataStats.toJson());
    System.err.print(dataStats.toTable());
    summary.set("data", JSON.readTree(dataStats.toJson()));

    // 2. Tokenizer.
    stage("2/6 train a byte-level BPE tokenizer, vocabulary " + vocabSize);
    BpeTokenizer tok;
    long t0 = System.nanoTime();
    try (CorpusReader docs = Corpus.read(clean);
        ProgressBar bar = ProgressBar.start("tokenizer", 0, ProgressBar.Unit.COUNT)) {
      tok = new BpeTrainer(BpeTrainer.Config.of(vocabSize)).train(CorpusInput.texts(docs, bar));
    }
    tok.save(run.resolve("tokenizer.json"));
    System.err.printf(Locale.ROOT, "tokenizer: %d ids in %.1f s%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9);

    // 3. Token shards.
    stage("3/6 tokenize into shards");
    Path shards = run.resolve("shards");
    TokenShards.Stats ts;
    try (CorpusReader docs = Corpus.read(clean);
        ProgressBar bar = ProgressBar.start("tokenize", 0, ProgressBar.Unit.BYTES)) {
      ts = TokenShards.write(docs, tok, shards, TokenShards.Options.defaults()
          .withProgress((d, b, t) -> bar.update(b, "tokens=" + t)));
    }
    double bytesPerToken = (double) ts.bytes() / ts.tokens();
    System.err.printf(Locale.ROOT, "%d documents, %d tokens, %.2f bytes/token%n", ts.documents(), ts.tokens(), bytesPerToken);
    summary.put("tokens", ts.tokens());
    summary.put("bytes_per_token", bytesPerToken);

    // 4. Model and training, the step budget sized from the time budget.
    double valFraction = 0.05;
    PackingConfig packing = PackingConfig.of(seqLen, batch).withEpochs(1000).withShuffle(seed)
        .withValidationFraction(valFraction);
    ModelConfig modelConfig = ModelConfig.of(Architecture.GPT2, tok.vocabSize(), seqLen, layers, heads, dModel);
    stage(String.format(Locale.ROOT, "4/6 pre-train a GPT: %d layers, %d heads, d_model %d, %,d parameters, %.1f minutes",
        layers, heads, dModel, modelConfig.parameterCount(), minutes));
    StepBudget budget = StepBudget.measure(modelConfig, trainConfig(StepBudget.MEASURED_STEPS),
        PackingIterator.open(shards, packing));
    long steps = budget.steps(Duration.ofMillis((long) (minutes * 60_000)), 10);
    System.err.printf(Locale.ROOT, "%.2f s/step measured -> %d steps of %d tokens%n", budget.stepSeconds(), steps,
        (long) batch * seqLen);
    TrainConfig cfg = trainConfig(steps);
    cfg.write(run.resolve("train.json"));
    modelConfig.write(run.resolve("model.json"));
    LanguageModel lm = LanguageModel.create(modelConfig, seed);
    PackingIterator data = PackingIterator.open(shards, packing);
    Trainer trainer = Trainer.builder(lm, cfg)
        .train(data)
        .validation(data.validation(), bytesPerToken)
        .checkpoints(run.resolve("checkpoints"))
        .metrics(run.resolve("metrics.jsonl"))
        .progressStream(System.err)
        .build();
    TrainResult result = trainer.run();

    // 5. Evaluation against the unigram baseline.
    stage("5/6 evaluate on held-out text");
    Evaluation eval = trainer.evaluate();
    double unigram = unigramBaseline(shards, valFraction);
    System.err.printf(Locale.ROOT, "validation loss %.3f nats (perplexity %.1f, %.3f bits/byte); unigram baseline %.3f nats%n",
        eval.loss(), eval.perplexity(), eval.bitsPerByte(), unigram);
    ObjectNode ev = summary.putObject("evaluation");
    ev.put("val_loss", eval.loss());
    ev.put("perplexity", eval.perplexity());
    ev.put("bits_per_byte", eval.bitsPerByte());
    ev.put("unigram_loss", unigram);
    ev.put("steps", result.steps());
    ev.put("tokens", result.tokens());

    // 6. Samples.
    stage("6/6 samples");
    ArrayNode samples = summary.putArray("samples");
    for (int i = 0; i < PROMPTS.size(); i++) {
      String prompt = PROMPTS.get(i);
      int[] ids = tok.encode(prompt);
      // Keep the prompt's tail and the new tokens inside the model's context.
      ids = java.util.Arrays.copyOfRange(ids, Math.max(0, ids.length - seqLen / 2), ids.length);
      int newTokens = Math.min(60, seqLen - ids.length);
      int[] out = lm.generate(ids, new GenerationConfig(newTokens, 0.8, 40, 0.95, 1.0,
          new int[] {tok.endOfTextId()}, seed + i), t -> {});
      String text = tok.decode(java.util.Arrays.copyOfRange(out, ids.length, out.length));
      System.err.println("> " + prompt + text.replace('\n', ' '));
      samples.addObject().put("prompt", prompt).put("completion", text);
    }
    Files.writeString(run.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    System.err.println("report: " + RunReport.write(run).toAbsolutePath());
    System.out.printf(Locale.ROOT, "val_loss=%.4f unigram_loss=%.4f bits_per_byte=%.4f steps=%d run=%s%n",
        eval.loss(), unigram, eval.bitsPerByte(), result.steps(), run);
    return 0;
  }

  private TrainConfig trainConfig(long steps) {
    return TrainConfig.defaults().withOverrides(List.of(
        "lr=" + lr, "min_lr=" + lr / 10, "warmup_steps=" + Math.max(1, Math.min(100, steps / 10)),
        "max_steps=" + steps, "micro_batch=" + batch, "seq_len=" + seqLen, "grad_accum=1",
        "weight_decay=0.1", "clip=1.0", "eval_every=" + Math.max(10, steps / 10), "eval_batches=20",
        "checkpoint_every=" + Math.max(10, steps / 5), "keep_last=2", "keep_best=true", "seed=" + seed));
  }

  /** Cross-entropy of the validation tail under a unigram model of the training tokens (add-one smoothed). */
  static double unigramBaseline(Path shards, double valFraction) {
    ShardIndex index = ShardIndex.read(shards);
    long total = index.totalTokens();
    long valStart = total - (long) (total * valFraction);
    long[] train = new long[index.vocabSize()];
    long[] val = new long[index.vocabSize()];
    long pos = 0;
    int[] buf = new int[1 << 16];
    for (Path f : index.files(shards)) {
      ShardReader r = ShardReader.open(f);
      for (long i = 0; i < r.size(); i += buf.length) {
        int len = (int) Math.min(buf.length, r.size() - i);
        r.read(i, buf, 0, len);
        for (int j = 0; j < len; j++, pos++) {
          (pos < valStart ? train : val)[buf[j]]++;
        }
      }
    }
    long trainTotal = 0;
    for (long c : train) {
      trainTotal += c + 1;
    }
    double nll = 0;
    long n = 0;
    for (int t = 0; t < val.length; t++) {
      if (val[t] > 0) {
        nll -= val[t] * Math.log((train[t] + 1.0) / trainTotal);
        n += val[t];
      }
    }
    return nll / n;
  }

  private static PipelineStats clean(Path raw, Path out) throws IOException {
    ProgressBar bar = ProgressBar.start("clean", 0, ProgressBar.Unit.BYTES);
    Pipeline p = Pipeline.builder()
        .progress((pass, passes, docs, bytes, seconds) -> bar.update(bytes, "pass " + pass + "/" + passes + " docs=" + docs))
        .step(Steps.normalize(NormalizeConfig.defaults()))
        .step(Steps.exactDedup(ExactDedupConfig.defaults()))
        .step(Steps.minHashDedup(MinHashConfig.defaults()))
        .build();
    Files.createDirectories(out);
    try (JsonlShardWriter kept = JsonlShardWriter.create(out, "part", 256L << 20, Compression.GZIP)) {
      return p.run(() -> Corpus.read(raw), kept, DocumentSink.discard());
    } finally {
      bar.close();
    }
  }

  private static void stage(String s) {
    System.err.println();
    System.err.println("== " + s);
  }
}
