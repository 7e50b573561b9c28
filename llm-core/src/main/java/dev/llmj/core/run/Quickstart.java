package dev.llmj.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.Evaluation;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.ProgressBar;
import dev.llmj.data.io.Compression;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.io.JsonlShardWriter;
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
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The whole path on the embedded State of the Union corpus ({@link EmbeddedCorpus#SOTU}), no network:
 * clean and deduplicate, train a BPE tokenizer, tokenize and pack, pre-train a small GPT for a bounded
 * time (the step budget measured on this machine), evaluate it on held-out text against a unigram
 * baseline, sample from it, and write {@code summary.json} and the run report. Everything lands in one
 * run folder. {@code llm quickstart} is this class.
 *
 * <pre>{@code
 * Quickstart.Result r = Quickstart.run(Quickstart.Options.defaults(Path.of("runs/qs")).withMinutes(2), System.err);
 * System.out.println(r.valLoss() + " nats vs unigram " + r.unigramLoss());
 * }</pre>
 */
public final class Quickstart {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double VALIDATION_FRACTION = 0.05;
  private static final List<String> PROMPTS = List.of(
      "Fellow citizens of the Senate and House of Representatives:",
      "The state of the Union is",
      "Our economy");

  private Quickstart() {}

  /**
   * What to run; validated on construction.
   *
   * @param runDir run folder; must be absent or empty
   * @param minutes training time budget (the step count is sized from it), &gt; 0
   * @param vocabSize tokenizer vocabulary, more than the 256 byte tokens and the end-of-text id
   * @param layers decoder blocks
   * @param heads attention heads; divides {@code dModel}
   * @param dModel model width
   * @param seqLen context length, at least 2
   * @param batch sequences per step
   * @param lr peak learning rate (cosine decay to a tenth of it)
   * @param seed seeds shuffling, initialization and sampling
   */
  public record Options(Path runDir, double minutes, int vocabSize, int layers, int heads, int dModel, int seqLen,
      int batch, double lr, long seed) {

    public Options {
      if (runDir == null) {
        throw new IllegalArgumentException("runDir must not be null; Quickstart.defaultRunDir() names a fresh one");
      }
      if (!(minutes > 0) || Double.isInfinite(minutes)) {
        throw new IllegalArgumentException("minutes=" + minutes + " must be positive");
      }
      // the stages' own configurations check the rest now, before minutes of cleaning and tokenizer training
      BpeTrainer.Config.of(vocabSize);
      ModelConfig.of(Architecture.GPT2, vocabSize, seqLen, layers, heads, dModel);
      PackingConfig.of(seqLen, batch);
      if (!(lr > 0) || Double.isInfinite(lr)) {
        throw new IllegalArgumentException("lr=" + lr + " must be finite and > 0");
      }
    }

    /** {@code llm quickstart}'s defaults: 10 minutes, 4096 ids, 4 layers, 4 heads, d_model 128, 128 x 16 tokens a step. */
    public static Options defaults(Path runDir) {
      return new Options(runDir, 10, 4096, 4, 4, 128, 128, 16, 3e-3, 1337);
    }

    public Options withMinutes(double m) {
      return new Options(runDir, m, vocabSize, layers, heads, dModel, seqLen, batch, lr, seed);
    }

    public Options withVocabSize(int v) {
      return new Options(runDir, minutes, v, layers, heads, dModel, seqLen, batch, lr, seed);
    }

    /** The model's shape: blocks, heads and width. */
    public Options withModel(int l, int h, int d) {
      return new Options(runDir, minutes, vocabSize, l, h, d, seqLen, batch, lr, seed);
    }

    /** A step's shape: context length and sequences. */
    public Options withBatch(int t, int b) {
      return new Options(runDir, minutes, vocabSize, layers, heads, dModel, t, b, lr, seed);
    }

    public Options withLr(double rate) {
      return new Options(runDir, minutes, vocabSize, layers, heads, dModel, seqLen, batch, rate, seed);
    }

    public Options withSeed(long s) {
      return new Options(runDir, minutes, vocabSize, layers, heads, dModel, seqLen, batch, lr, s);
    }

    /** The trainer settings for {@code steps} steps: warm-up, evaluation and checkpoints scale with it. */
    TrainConfig trainConfig(long steps) {
      // the floor goes to 0 first: each wither validates min_lr <= lr against the previous value
      return TrainConfig.defaults().withMinLearningRate(0).withLearningRate(lr).withMinLearningRate(lr / 10)
          .withWarmupSteps((int) Math.max(1, Math.min(100, steps / 10))).withMaxSteps(steps)
          .withMicroBatch(batch).withSeqLen(seqLen).withGradAccum(1).withWeightDecay(0.1).withClip(1.0)
          .withEvalEvery((int) Math.max(10, steps / 10)).withEvalBatches(20)
          .withCheckpointEvery((int) Math.max(10, steps / 5)).withKeepLast(2).withKeepBest(true).withSeed(seed);
    }
  }

  /**
   * What the run reached, as also written to {@code summary.json}.
   *
   * @param runDir the run folder
   * @param valLoss validation cross-entropy, nats per token
   * @param perplexity {@code exp(valLoss)}
   * @param bitsPerByte validation loss per byte of text
   * @param unigramLoss the same held-out tokens under an add-one unigram model of the training tokens, nats
   * @param steps optimizer steps trained
   * @param tokens training tokens seen
   * @param report the run report, {@code report.html}
   */
  public record Result(Path runDir, double valLoss, double perplexity, double bitsPerByte, double unigramLoss,
      long steps, long tokens, Path report) {}

  /** {@code runs/quickstart-<date>-<time>}, a fresh folder name for a run started now. */
  public static Path defaultRunDir() {
    return Path.of("runs", "quickstart-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /**
   * Runs every stage into {@code options.runDir()}, writing stage headers, progress and samples to {@code log}.
   *
   * @throws IllegalArgumentException if the run folder exists and is not empty
   */
  public static Result run(Options options, PrintStream log) throws IOException {
    Path run = options.runDir();
    if (Files.exists(run)) {
      try (Stream<Path> entries = Files.list(run)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("run folder " + run + " is not empty; give a new or empty run folder");
        }
      }
    }
    Files.createDirectories(run);
    ObjectNode summary = JSON.createObjectNode();
    log.println("run folder: " + run.toAbsolutePath());

    // 1. Data: the embedded corpus, normalized and deduplicated (exact and MinHash).
    Path raw = EmbeddedCorpus.SOTU.copyTo(run.resolve("data"));
    Path clean = run.resolve("data/clean");
    stage(log, "1/6 clean and deduplicate " + raw.getFileName());
    PipelineStats dataStats = clean(raw, clean, log);
    Files.writeString(run.resolve("data/stats.json"), dataStats.toJson());
    log.print(dataStats.toTable());
    summary.set("data", JSON.readTree(dataStats.toJson()));

    // 2. Tokenizer.
    stage(log, "2/6 train a byte-level BPE tokenizer, vocabulary " + options.vocabSize());
    BpeTokenizer tok;
    long t0 = System.nanoTime();
    try (CorpusReader docs = Corpus.read(clean); ProgressBar bar = bar(log, "tokenizer", ProgressBar.Unit.COUNT)) {
      tok = new BpeTrainer(BpeTrainer.Config.of(options.vocabSize())).train(docs.texts(bar));
    }
    tok.save(run.resolve("tokenizer.json"));
    log.printf(Locale.ROOT, "tokenizer: %d ids in %.1f s%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9);

    // 3. Token shards.
    stage(log, "3/6 tokenize into shards");
    Path shards = run.resolve("shards");
    TokenShards.Stats ts;
    try (CorpusReader docs = Corpus.read(clean); ProgressBar bar = bar(log, "tokenize", ProgressBar.Unit.BYTES)) {
      ts = TokenShards.write(docs, tok, shards, TokenShards.Options.defaults()
          .withProgress((d, b, t) -> bar.update(b, "tokens=" + t)));
    }
    double bytesPerToken = (double) ts.bytes() / ts.tokens();
    log.printf(Locale.ROOT, "%d documents, %d tokens, %.2f bytes/token%n", ts.documents(), ts.tokens(), bytesPerToken);
    summary.put("tokens", ts.tokens());
    summary.put("bytes_per_token", bytesPerToken);

    // 4. Model and training, the step budget sized from the time budget.
    int seqLen = options.seqLen();
    PackingConfig packing = PackingConfig.of(seqLen, options.batch()).withEpochs(1000).withShuffle(options.seed())
        .withValidationFraction(VALIDATION_FRACTION);
    ModelConfig modelConfig = ModelConfig.of(Architecture.GPT2, tok.vocabSize(), seqLen, options.layers(),
        options.heads(), options.dModel());
    stage(log, String.format(Locale.ROOT, "4/6 pre-train a GPT: %d layers, %d heads, d_model %d, %,d parameters, %.1f minutes",
        options.layers(), options.heads(), options.dModel(), modelConfig.parameterCount(), options.minutes()));
    StepBudget budget = StepBudget.measure(modelConfig, options.trainConfig(StepBudget.MEASURED_STEPS),
        PackingIterator.open(shards, packing));
    long steps = budget.steps(Duration.ofMillis((long) (options.minutes() * 60_000)), 10);
    log.printf(Locale.ROOT, "%.2f s/step measured -> %d steps of %d tokens%n", budget.stepSeconds(), steps,
        (long) options.batch() * seqLen);
    TrainConfig cfg = options.trainConfig(steps);
    cfg.write(run.resolve("train.json"));
    modelConfig.write(run.resolve("model.json"));
    LanguageModel lm = LanguageModel.create(modelConfig, options.seed());
    PackingIterator data = PackingIterator.open(shards, packing);
    Trainer trainer = Trainer.builder(lm, cfg)
        .train(data)
        .validation(data.validation(), bytesPerToken)
        .checkpoints(run.resolve("checkpoints"))
        .metrics(run.resolve("metrics.jsonl"))
        .progressStream(log)
        .build();
    TrainResult trained = trainer.run();

    // 5. Evaluation against the unigram baseline.
    stage(log, "5/6 evaluate on held-out text");
    Evaluation eval = trainer.evaluate();
    double unigram = unigramBaseline(shards, VALIDATION_FRACTION);
    log.printf(Locale.ROOT, "validation loss %.3f nats (perplexity %.1f, %.3f bits/byte); unigram baseline %.3f nats%n",
        eval.loss(), eval.perplexity(), eval.bitsPerByte(), unigram);
    ObjectNode ev = summary.putObject("evaluation");
    ev.put("val_loss", eval.loss());
    ev.put("perplexity", eval.perplexity());
    ev.put("bits_per_byte", eval.bitsPerByte());
    ev.put("unigram_loss", unigram);
    ev.put("steps", trained.steps());
    ev.put("tokens", trained.tokens());

    // 6. Samples.
    stage(log, "6/6 samples");
    ArrayNode samples = summary.putArray("samples");
    for (int i = 0; i < PROMPTS.size(); i++) {
      String prompt = PROMPTS.get(i);
      int[] ids = tok.encode(prompt);
      // Keep the prompt's tail and the new tokens inside the model's context.
      ids = Arrays.copyOfRange(ids, Math.max(0, ids.length - seqLen / 2), ids.length);
      int newTokens = Math.min(60, seqLen - ids.length);
      int[] out = lm.generate(ids, new GenerationConfig(newTokens, 0.8, 40, 0.95, 1.0,
          new int[] {tok.endOfTextId()}, options.seed() + i), t -> {});
      String text = tok.decode(Arrays.copyOfRange(out, ids.length, out.length));
      log.println("> " + prompt + text.replace('\n', ' '));
      samples.addObject().put("prompt", prompt).put("completion", text);
    }
    Files.writeString(run.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    Path report = RunReport.write(run);
    log.println("report: " + report.toAbsolutePath());
    return new Result(run, eval.loss(), eval.perplexity(), eval.bitsPerByte(), unigram, trained.steps(),
        trained.tokens(), report);
  }

  /**
   * Cross-entropy, nats per token, of the last {@code valFraction} of the tokens in {@code shards} under a
   * unigram model of the tokens before them, add-one smoothed over the shards' vocabulary: the loss a model
   * that ignores context reaches, the baseline a trained model must beat.
   */
  public static double unigramBaseline(Path shards, double valFraction) {
    if (!(valFraction > 0 && valFraction < 1)) {
      throw new IllegalArgumentException("valFraction=" + valFraction + " must be in (0, 1)");
    }
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

  private static PipelineStats clean(Path raw, Path out, PrintStream log) throws IOException {
    ProgressBar bar = bar(log, "clean", ProgressBar.Unit.BYTES);
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

  private static ProgressBar bar(PrintStream log, String label, ProgressBar.Unit unit) {
    return ProgressBar.start(label, 0, unit, log, System.getProperty("llmj.progress", "auto"));
  }


  private static void stage(PrintStream log, String s) {
    log.println();
    log.println("== " + s);
  }
}
