package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmj.core.dist.Collective;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.CheckpointManager;
import dev.llmj.core.layers.DecoderBlockConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.shard.PackingIterator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link LanguageModel} (or any DL4J {@link ComputationGraph} whose score is a mean loss per token)
 * with AdamW, warm-up + decay, global-norm clipping, gradient accumulation, periodic validation and atomic
 * checkpoints, and resumes exactly from the last checkpoint.
 *
 * <pre>{@code
 * LanguageModel lm = LanguageModel.create(ModelConfig.preset("tiny"), 42);
 * TrainConfig cfg = TrainConfig.defaults().withMaxSteps(2000).withLearningRate(3e-4);
 * PackingIterator data = PackingIterator.open(shardDir, PackingConfig.of(256, 16).withEpochs(2));
 * TrainResult r = Trainer.builder(lm, cfg)         // checkpoints carry lm's config, so LanguageModel.load reads them
 *     .train(data)                                 // resumes at the exact window; any DataSetIterator works too
 *     .validation(data.validation(), 4.2)          // bytes per token of the validation text
 *     .checkpoints(runDir.resolve("checkpoints"))  // step-NNNNNNNN folders, see CheckpointManager
 *     .metrics(runDir.resolve("metrics.jsonl"))
 *     .build()
 *     .run();                                      // continues from the newest checkpoint, if any
 * }</pre>
 *
 * <p>Checkpoints are the library's {@link Checkpoint} folders: the graph's parameters by
 * {@code paramTable()} name in {@code model.safetensors} (F32 for a FLOAT graph, F64 for DOUBLE), the
 * flat AdamW state as {@code updater_state} in {@code optimizer.safetensors}, DL4J's iteration and epoch
 * counters in {@code optimizer.json}, and step, tokens, {@code val_loss}, data position and RNG state in
 * {@code trainer_state.json}. {@link #loadWeights} puts a checkpoint's weights into a graph, e.g. the best
 * one for evaluation.
 *
 * <p>The graph's score must be the mean loss per token in nats (perplexity and bits per byte derive from
 * it). Its layers' updaters and regularization are replaced by the configuration's AdamW settings.
 * {@link TrainingListener}s set on the graph are called as {@code ComputationGraph.fit} calls them.
 *
 * <p>Data-parallel: with {@link Builder#collective} every rank of a job (e.g. {@code mpirun -np W}) builds
 * the same trainer over the same data. Rank 0's parameters and optimizer state are broadcast at the start;
 * the global batch of a step is the next {@code W x grad_accum} micro-batches of the one seeded window
 * order, of which rank r takes the r-th block of {@code grad_accum}; gradients, losses and token counts are
 * summed over the ranks, so every rank takes the same step, the one a single process with
 * {@code grad_accum x W} takes. Evaluation is split over the ranks. Rank 0 alone writes checkpoints,
 * metrics and progress; the checkpoint records the job size and every rank's data position.
 */
public final class Trainer {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  private final ComputationGraph graph;
  private final TrainConfig cfg;
  private final PositionedIterator train;
  private final Evaluator evaluator;
  private final Path checkpointDir;
  private final JsonNode modelConfig;
  private final Path metricsFile;
  private final double flopsPerToken;
  private final PrintStream stderr;
  private final WarmupDecaySchedule schedule;
  private final StepEngine engine;
  private final Collective world;

  private long step;
  private long tokens;
  private long skipped;
  private double bestValLoss = Double.NaN;
  private long lastSavedStep = -1;
  private CheckpointManager checkpoints;

  private Trainer(Builder b) {
    this.graph = b.graph;
    this.cfg = b.cfg;
    this.train = b.train;
    this.world = b.world;
    this.evaluator = b.validation == null ? null : new Evaluator(b.validation, b.bytesPerToken, cfg.evalBatches(),
        b.tokenCounter != null ? b.tokenCounter : defaultTokenCounter(b.validation), world);
    this.checkpointDir = b.checkpointDir;
    this.modelConfig = b.modelConfig;
    this.metricsFile = b.metricsFile;
    this.flopsPerToken = b.flopsPerToken;
    this.stderr = b.stderr;
    this.schedule = WarmupDecaySchedule.of(cfg);
    if (cfg.threads() > 0) {
      Nd4j.getEnvironment().setMaxMasterThreads(cfg.threads());
      Nd4j.getEnvironment().setMaxThreads(cfg.threads());
    }
    AdamW.configure(graph, cfg, schedule, b.decayPolicy);
    DecoderBlockConfig.setRecompute(graph, cfg.recompute());
    this.engine = new StepEngine(graph, cfg.clip(), b.tokenCounter != null ? b.tokenCounter : train::tokens, world);
  }

  /** The iterator's own count when it knows its labels (packing: B×T ids), else {@link StepEngine#defaultTokens}. */
  private static ToLongFunction<DataSet> defaultTokenCounter(DataSetIterator data) {
    if (data instanceof PositionedIterator p) {
      return p::tokens;
    }
    return data instanceof PackingIterator ? StepEngine::idTokens : StepEngine::defaultTokens;
  }

  /**
   * A trainer builder for a language model: each checkpoint's {@code config.json} is the model's
   * {@link dev.llmj.core.model.ModelConfig}, so {@link LanguageModel#load} reads checkpoints back, and MFU
   * counts {@code 6 * parameters} FLOPs per token unless {@link Builder#flopsPerToken} says otherwise.
   */
  public static Builder builder(LanguageModel model, TrainConfig cfg) {
    if (model == null) {
      throw new IllegalArgumentException("model is required");
    }
    return new Builder(model.graph(), cfg)
        .modelConfig(Checkpoint.json(model.config().toJson()))
        .flopsPerToken(6.0 * model.config().parameterCount());
  }

  /**
   * A trainer builder for any graph whose score is the mean loss per token in nats; checkpoints then carry
   * the graph's own configuration JSON unless {@link Builder#modelConfig} is set.
   */
  public static Builder builder(ComputationGraph graph, TrainConfig cfg) {
    return new Builder(graph, cfg);
  }

  /**
   * Trains until the step or token budget is spent, evaluating and checkpointing on the way and at the
   * end. If the checkpoint folder holds a complete checkpoint, training continues from the newest one.
   *
   * @throws NonFiniteLossException when a step's loss or gradient is not finite and skip_nonfinite is off;
   *     parameters keep the last good step's values and the checkpoints stay as they were
   */
  public TrainResult run() throws IOException {
    if (checkpointDir != null && checkpoints == null) {
      checkpoints = new CheckpointManager(checkpointDir, cfg.retention());
    }
    long resumedFrom = resume();
    if (resumedFrom < 0) {
      Nd4j.getRandom().setSeed(cfg.seed());
      train.reset();
    }
    if (world.size() > 1) {
      DataParallel.startTogether(graph, world, step);
    }
    int ga = cfg.gradAccum();
    for (TrainingListener l : graph.getListeners()) {
      l.onEpochStart(graph);
    }
    StepEngine.Result last = null;
    Evaluation lastEval = null;
    // Only rank 0 reports; a null resource is skipped by try-with-resources.
    try (Monitor monitor = world.rank() == 0 ? new Monitor(cfg, metricsFile, resumedFrom, flopsPerToken, stderr) : null) {
      while (!budgetSpent()) {
        long t0 = System.nanoTime();
        double lr = schedule.valueAt(graph.getIterationCount(), graph.getEpochCount());
        if (world.size() > 1) {
          DataParallel.seedRank(cfg.seed(), step, world.rank());
        }
        skipBatches(world.rank() * ga); // the blocks of the global batch that lower ranks take
        last = engine.computeGradient(() -> nextBatch(true), ga);
        skipBatches((world.size() - 1 - world.rank()) * ga);
        boolean skip = !last.finite();
        if (skip && !cfg.skipNonfinite()) {
          throw new NonFiniteLossException(step, String.format(
              "Non-finite training loss %s (gradient norm %s) at step %d (0-based); the parameters are those after"
                  + " %d completed steps, the last checkpoint is %s. Lower lr or raise warmup_steps, or set"
                  + " skip_nonfinite=true to skip such batches.", last.loss(), last.gradNorm(), step, step,
              lastCheckpointText()));
        }
        if (skip) {
          skipped++;
          log.warn("Skipping step {}: loss {} gradient norm {} (skip_nonfinite=true, {} skipped so far)", step,
              last.loss(), last.gradNorm(), skipped);
        } else {
          engine.applyUpdate(last);
        }
        // A skipped step still counts, so the schedule, budget and data stay aligned with the step number.
        engine.finishIteration();
        step++;
        tokens += last.tokens();
        if (monitor != null) {
          monitor.step(step - 1, tokens, last, lr, System.nanoTime() - t0, skip);
        }
        boolean end = budgetSpent();
        Evaluation eval = null;
        if (evaluator != null && (end || (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0))) {
          eval = lastEval = evaluator.evaluate(graph);
          if (!(eval.loss() >= bestValLoss)) { // also true while bestValLoss is NaN
            bestValLoss = eval.loss();
          }
          if (monitor != null) {
            monitor.evaluation(step, eval);
          }
        }
        if (checkpoints != null && (end || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0))) {
          save(eval);
        }
      }
    }
    for (TrainingListener l : graph.getListeners()) {
      l.onEpochEnd(graph);
    }
    if (checkpoints != null && lastSavedStep != step) {
      save(null);
    }
    return new TrainResult(step, tokens, last == null ? Double.NaN : last.loss(), lastEval, bestValLoss, skipped,
        resumedFrom);
  }

  /**
   * Assigns a trainer checkpoint's weights to {@code graph}'s parameters by name, e.g. to evaluate or
   * generate from the best checkpoint:
   *
   * <pre>{@code
   * CheckpointManager ckpts = new CheckpointManager(runDir.resolve("checkpoints"), cfg.retention());
   * Trainer.loadWeights(graph, Checkpoint.read(ckpts.best().orElseThrow().folder()));
   * }</pre>
   *
   * @throws IllegalArgumentException naming the missing, unexpected or mismatched (shape, type) weights;
   *     nothing is assigned then
   */
  public static void loadWeights(ComputationGraph graph, Checkpoint checkpoint) {
    GraphCheckpoint.assignWeights(graph, checkpoint.model(), "checkpoint of step " + checkpoint.trainerState().step());
  }

  /** Validation loss, perplexity and bits per byte of the graph as it is now. */
  public Evaluation evaluate() {
    if (evaluator == null) {
      throw new IllegalStateException("No validation iterator; set one with Builder.validation(...)");
    }
    return evaluator.evaluate(graph);
  }

  private boolean budgetSpent() {
    return cfg.maxSteps() > 0 ? step >= cfg.maxSteps() : tokens >= cfg.maxTokens();
  }

  private void skipBatches(int n) {
    for (int i = 0; i < n; i++) {
      nextBatch(false);
    }
  }

  /**
   * The next training batch, or null having stepped over it when {@code read} is false; at the end of the
   * data, starts a new epoch as fit(iterator) would.
   */
  private DataSet nextBatch(boolean read) {
    if (!train.hasNext()) {
      for (TrainingListener l : graph.getListeners()) {
        l.onEpochEnd(graph);
      }
      graph.incrementEpochCount();
      if (!train.resetSupported()) {
        throw new IllegalStateException("Training data ended at step " + step + " and the iterator cannot reset;"
            + " lower max_steps/max_tokens, or give the iterator more data or epochs");
      }
      train.reset();
      if (!train.hasNext()) {
        throw new IllegalStateException("Training iterator is empty after reset at step " + step);
      }
      for (TrainingListener l : graph.getListeners()) {
        l.onEpochStart(graph);
      }
    }
    if (read) {
      return train.next();
    }
    train.skip();
    return null;
  }

  /** Every rank calls this at the same steps; rank 0 writes. */
  private void save(Evaluation eval) throws IOException {
    JsonNode ranks = DataParallel.positions(world, train.position()); // collective: before rank 0 alone goes on
    if (world.rank() != 0) {
      lastSavedStep = step;
      return;
    }
    JsonNode model = modelConfig != null ? modelConfig : Checkpoint.json(graph.getConfiguration().toJson());
    GraphCheckpoint.Progress progress = new GraphCheckpoint.Progress(step, tokens, skipped, bestValLoss);
    Path folder = checkpoints.save(GraphCheckpoint.capture(graph, model, cfg, progress, train.position(), ranks,
        eval == null ? Double.NaN : eval.loss(), schedule.valueAt(graph.getIterationCount(), graph.getEpochCount())));
    lastSavedStep = step;
    log.info("Checkpoint saved at step {} in {}", step, folder);
  }

  /** Loads the newest checkpoint into graph, updater, counters, RNG and iterator; returns its step or -1. */
  private long resume() throws IOException {
    Optional<CheckpointManager.Entry> latest = checkpoints == null ? Optional.empty() : checkpoints.latest();
    if (latest.isEmpty()) {
      return -1;
    }
    Path folder = latest.get().folder();
    Checkpoint c = Checkpoint.read(folder);
    TrainConfig saved = GraphCheckpoint.trainConfig(c, folder);
    if (!saved.equals(cfg)) {
      log.warn("Resuming with a configuration that differs from the checkpoint's; the run will not match an"
          + " uninterrupted one. checkpoint: {} now: {}", saved.toJson(), cfg.toJson());
    }
    GraphCheckpoint.Progress p = GraphCheckpoint.restore(c, folder, graph, world.size());
    train.restore(c.trainerState().dataPosition());
    step = p.step();
    tokens = p.tokens();
    skipped = p.skipped();
    bestValLoss = p.bestValLoss();
    lastSavedStep = step;
    log.info("Resumed from {} at step {} ({} tokens seen)", folder, step, tokens);
    return step;
  }

  private String lastCheckpointText() {
    return lastSavedStep < 0 ? "none" : "after " + lastSavedStep + " steps";
  }

  /** Collects the trainer's inputs; only the graph, configuration and training data are required. */
  public static final class Builder {
    private final ComputationGraph graph;
    private final TrainConfig cfg;
    private PositionedIterator train;
    private DataSetIterator validation;
    private double bytesPerToken = Double.NaN;
    private Path checkpointDir;
    private JsonNode modelConfig;
    private Path metricsFile;
    private double flopsPerToken;
    private DecayPolicy decayPolicy = DecayPolicy.DEFAULT;
    private ToLongFunction<DataSet> tokenCounter;
    private PrintStream stderr = System.err;
    private Collective world = Collective.single();

    private Builder(ComputationGraph graph, TrainConfig cfg) {
      if (graph == null || cfg == null) {
        throw new IllegalArgumentException("graph and config are required");
      }
      this.graph = graph;
      this.cfg = cfg;
    }

    /**
     * Training batches of {@code micro_batch} sequences from shards. Resuming seeks to the exact window;
     * set {@code PackingConfig.withEpochs} to cover the step or token budget (running out is an error
     * naming the step, rather than a replay of epoch 0's order). Batches count B×T tokens minus -1 labels.
     */
    public Builder train(PackingIterator train) {
      this.train = PositionedIterator.packing(train);
      return this;
    }

    /**
     * Training batches from any deterministic iterator (the same batches in the same order after every
     * {@code reset()}). A {@link PositionedIterator} saves and restores its own position; any other
     * iterator is resumed by resetting and skipping the batches already seen.
     */
    public Builder train(DataSetIterator train) {
      this.train = train instanceof PackingIterator p ? PositionedIterator.packing(p) : PositionedIterator.counting(train);
      return this;
    }

    /** Validation batches, and the UTF-8 bytes per token of that text for bits per byte (NaN if unknown). */
    public Builder validation(DataSetIterator validation, double bytesPerToken) {
      this.validation = validation;
      this.bytesPerToken = bytesPerToken;
      return this;
    }

    /**
     * Saves checkpoints as {@code step-NNNNNNNN} folders in {@code runDir} (see {@link CheckpointManager}),
     * keeping the configuration's {@code keep_last} newest plus, with {@code keep_best}, the one of lowest
     * {@code val_loss}; {@link #run()} resumes from the newest complete one.
     */
    public Builder checkpoints(Path runDir) {
      this.checkpointDir = runDir;
      return this;
    }

    /**
     * The model configuration written as each checkpoint's {@code config.json}: for a language model its
     * {@code ModelConfig} JSON, which {@code LanguageModel.load} needs ({@code LanguageModel.trainer(cfg)}
     * sets it); by default the graph's {@code ComputationGraphConfiguration} JSON.
     */
    public Builder modelConfig(JsonNode modelConfig) {
      this.modelConfig = modelConfig == null ? null : modelConfig.deepCopy();
      return this;
    }

    /** A metrics.jsonl file: one JSON line per step and per evaluation. */
    public Builder metrics(Path metricsFile) {
      this.metricsFile = metricsFile;
      return this;
    }

    /** Training FLOPs per token (forward + backward, e.g. 6N + attention) for MFU with {@code peak_flops}. */
    public Builder flopsPerToken(double flopsPerToken) {
      if (!(flopsPerToken >= 0)) {
        throw new IllegalArgumentException("flopsPerToken=" + flopsPerToken + " must be >= 0");
      }
      this.flopsPerToken = flopsPerToken;
      return this;
    }

    public Builder decayPolicy(DecayPolicy decayPolicy) {
      this.decayPolicy = decayPolicy;
      return this;
    }

    /**
     * How many tokens a batch holds; by default the iterator's {@link PositionedIterator#tokens} (B×T for
     * packed (B, T) ids), else label masks or label shapes.
     */
    public Builder tokenCounter(ToLongFunction<DataSet> tokenCounter) {
      this.tokenCounter = tokenCounter;
      return this;
    }

    /**
     * The data-parallel job this trainer is one rank of ({@link Collective#single()} by default), e.g.
     * {@code dev.llmj.core.dist.Collectives.world()}; every rank builds its trainer over the same data.
     */
    public Builder collective(Collective world) {
      if (world == null) {
        throw new IllegalArgumentException("collective is null; use Collective.single() for one process");
      }
      this.world = world;
      return this;
    }

    /** Where the progress bar goes (stderr by default). */
    public Builder progressStream(PrintStream stream) {
      this.stderr = stream;
      return this;
    }

    public Trainer build() {
      if (train == null) {
        throw new IllegalStateException("No training data; call train(...) before build()");
      }
      return new Trainer(this);
    }
  }
}
