package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.CheckpointManager;
import dev.llmj.data.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of a training run, immutable and validated. JSON keys are the snake_case form of the
 * component names ({@code min_lr}, {@code grad_accum}); unknown keys are errors that list the valid ones.
 *
 * <pre>{@code
 * TrainConfig cfg = TrainConfig.read(Path.of("train.json"))
 *     .withOverrides(List.of("lr=3e-4", "max_steps=2000"));   // as the command line's --set gives them
 * TrainConfig same = TrainConfig.read(Path.of("train.json"))
 *     .withLearningRate(3e-4).withMaxSteps(2000);               // typed, validated the same way
 * cfg.write(runDir.resolve("train.json"));
 * }</pre>
 *
 * <p>One optimizer step consumes {@code microBatch * seqLen * gradAccum} tokens ({@link #tokensPerStep()}).
 *
 * @param lr peak learning rate, reached at the end of warm-up
 * @param minLr floor the decay ends on (nanoGPT: lr / 10)
 * @param warmupSteps linear warm-up length; Adam's second moment is noisy early, so small steps first
 * @param decay shape after warm-up: cosine, linear or constant
 * @param maxSteps step budget; 0 when {@code maxTokens} sets the budget
 * @param maxTokens token budget; 0 when {@code maxSteps} sets the budget
 * @param microBatch sequences per forward/backward pass (bounded by memory)
 * @param seqLen tokens per sequence, for token accounting and the schedule length of a token budget
 * @param gradAccum micro-batches summed into one optimizer step (the batch size the optimizer sees)
 * @param weightDecay decoupled AdamW decay, applied as {@code p -= lr * weightDecay * p}
 * @param beta1 Adam first-moment decay
 * @param beta2 Adam second-moment decay (0.95 is the usual LLM choice: adapts faster than 0.999)
 * @param eps Adam denominator guard
 * @param clip global gradient L2-norm limit; 0 disables clipping
 * @param evalEvery steps between validation passes; 0 evaluates only at the end
 * @param evalBatches validation batches per pass; 0 uses the whole validation iterator
 * @param checkpointEvery steps between checkpoints; 0 checkpoints only at the end
 * @param keepLast number of most recent checkpoints kept
 * @param keepBest also keep the checkpoint with the lowest validation loss
 * @param seed seed of ND4J's random generator (dropout, initialisation done after the trainer starts)
 * @param threads ND4J/OpenMP threads; 0 keeps the backend's choice
 * @param skipNonfinite skip a step whose loss or gradient is NaN/Inf instead of stopping
 * @param logEvery steps between SLF4J log lines (metrics.jsonl gets every step)
 * @param progress progress bar on stderr: auto (only on a terminal), always, never
 * @param peakFlops peak FLOP/s of the hardware for MFU; 0 leaves MFU out
 * @param recompute activation recomputation: each decoder block keeps only its input between forward
 *     and backward and computes its intermediates again in backward (about a third more compute, the
 *     blocks' activation memory down to one (B, T, C) array each); gradients are bitwise the same
 */
public record TrainConfig(
    double lr,
    double minLr,
    int warmupSteps,
    Decay decay,
    long maxSteps,
    long maxTokens,
    int microBatch,
    int seqLen,
    int gradAccum,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double clip,
    int evalEvery,
    int evalBatches,
    int checkpointEvery,
    int keepLast,
    boolean keepBest,
    long seed,
    int threads,
    boolean skipNonfinite,
    int logEvery,
    Progress progress,
    double peakFlops,
    boolean recompute) {

  /** Learning-rate shape after warm-up. */
  public enum Decay { COSINE, LINEAR, CONSTANT }

  /** When to draw the progress bar. */
  public enum Progress { AUTO, ALWAYS, NEVER }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public TrainConfig {
    positive("lr", lr, "use a peak learning rate such as 3e-4");
    check(minLr >= 0 && minLr <= lr, "min_lr", minLr, "must be in [0, lr=" + lr + "]", "set min_lr to about lr/10");
    check(warmupSteps >= 0, "warmup_steps", warmupSteps, "must be >= 0", "use 0 for no warm-up");
    check(decay != null, "decay", null, "is missing", "use cosine, linear or constant");
    check(maxSteps >= 0 && maxTokens >= 0, "max_steps/max_tokens", maxSteps + "/" + maxTokens, "must be >= 0",
        "set one of them to a positive budget");
    check((maxSteps > 0) != (maxTokens > 0), "max_steps/max_tokens", maxSteps + "/" + maxTokens,
        "exactly one must be positive", "set max_steps=N or max_tokens=N and the other to 0");
    check(microBatch >= 1, "micro_batch", microBatch, "must be >= 1", "use the largest batch that fits in memory");
    check(seqLen >= 1, "seq_len", seqLen, "must be >= 1", "use the model's context length");
    check(gradAccum >= 1, "grad_accum", gradAccum, "must be >= 1", "use 1 for no accumulation");
    check((long) microBatch * seqLen * gradAccum <= Integer.MAX_VALUE, "micro_batch*seq_len*grad_accum",
        (long) microBatch * seqLen * gradAccum, "must be <= " + Integer.MAX_VALUE, "reduce grad_accum");
    check(weightDecay >= 0 && weightDecay < 1, "weight_decay", weightDecay, "must be in [0, 1)", "0.1 is usual");
    check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "must be in [0, 1)", "0.9 is usual");
    check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "must be in [0, 1)", "0.95 is usual");
    positive("eps", eps, "1e-8 is usual");
    check(clip >= 0 && Double.isFinite(clip), "clip", clip, "must be finite and >= 0", "use 1.0, or 0 to disable");
    check(evalEvery >= 0, "eval_every", evalEvery, "must be >= 0", "use 0 to evaluate only at the end");
    check(evalBatches >= 0, "eval_batches", evalBatches, "must be >= 0", "use 0 for the whole validation set");
    check(checkpointEvery >= 0, "checkpoint_every", checkpointEvery, "must be >= 0", "use 0 for the end only");
    check(keepLast >= 1, "keep_last", keepLast, "must be >= 1", "keep at least the latest checkpoint");
    check(threads >= 0, "threads", threads, "must be >= 0", "use 0 for the backend's default");
    check(logEvery >= 1, "log_every", logEvery, "must be >= 1", "use 10");
    check(progress != null, "progress", null, "is missing", "use auto, always or never");
    check(peakFlops >= 0 && Double.isFinite(peakFlops), "peak_flops", peakFlops, "must be finite and >= 0",
        "give the hardware's peak FLOP/s, or 0 to omit MFU");
  }

  /** nanoGPT-like defaults for a small model; the budget is 1000 steps. */
  public static TrainConfig defaults() {
    return new TrainConfig(6e-4, 6e-5, 100, Decay.COSINE, 1000, 0, 8, 256, 1, 0.1, 0.9, 0.95, 1e-8, 1.0,
        250, 20, 500, 3, true, 1337, 0, false, 10, Progress.AUTO, 0, false);
  }

  /** Tokens consumed by one optimizer step. */
  public long tokensPerStep() {
    return (long) microBatch * seqLen * gradAccum;
  }

  /**
   * The checkpoint retention this configuration asks for: the {@code keep_last} newest, plus with
   * {@code keep_best} the one of lowest {@code val_loss}. Open a run's checkpoints with it to read them:
   * {@code new CheckpointManager(runDir.resolve("checkpoints"), cfg.retention())}.
   */
  public CheckpointManager.Retention retention() {
    CheckpointManager.Retention r = CheckpointManager.Retention.keepLast(keepLast);
    return keepBest ? r.withBest(GraphCheckpoint.VAL_LOSS, false) : r;
  }

  /** The number of optimizer steps of the budget (a token budget is rounded up to whole steps). */
  public long totalSteps() {
    return maxSteps > 0 ? maxSteps : (maxTokens + tokensPerStep() - 1) / tokensPerStep();
  }

  /** The same settings with {@code key=value} pairs applied in order, e.g. {@code "lr=3e-4"}. */
  public TrainConfig withOverrides(List<String> overrides) {
    ObjectNode node = toJson();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("override '" + o + "' is not key=value; example: lr=3e-4");
      }
      String key = o.substring(0, eq).trim();
      if (!keys().contains(key)) {
        throw StrictJson.unknownKey("override '" + o + "'", key, keys());
      }
      node.put(key, o.substring(eq + 1).trim());
    }
    return fromJson(node, "overrides " + overrides);
  }

  /** The same settings with a step budget of {@code maxSteps} ({@code max_steps}); the token budget becomes 0. */
  public TrainConfig withMaxSteps(long maxSteps) {
    return with("withMaxSteps(" + maxSteps + ")", "max_steps", maxSteps, "max_tokens", 0);
  }

  /** The same settings with a token budget of {@code maxTokens} ({@code max_tokens}); the step budget becomes 0. */
  public TrainConfig withMaxTokens(long maxTokens) {
    return with("withMaxTokens(" + maxTokens + ")", "max_tokens", maxTokens, "max_steps", 0);
  }

  /** The same settings with another peak learning rate ({@code lr}). */
  public TrainConfig withLearningRate(double lr) {
    return with("withLearningRate(" + lr + ")", "lr", lr);
  }

  /** The same settings with another learning-rate floor ({@code min_lr}). */
  public TrainConfig withMinLearningRate(double minLr) {
    return with("withMinLearningRate(" + minLr + ")", "min_lr", minLr);
  }

  /** The same settings with another warm-up length ({@code warmup_steps}). */
  public TrainConfig withWarmupSteps(int warmupSteps) {
    return with("withWarmupSteps(" + warmupSteps + ")", "warmup_steps", warmupSteps);
  }

  /** The same settings with another shape after warm-up ({@code decay}). */
  public TrainConfig withDecay(Decay decay) {
    return with("withDecay(" + decay + ")", "decay", decay);
  }

  /** The same settings with another sequences per forward/backward pass ({@code micro_batch}). */
  public TrainConfig withMicroBatch(int microBatch) {
    return with("withMicroBatch(" + microBatch + ")", "micro_batch", microBatch);
  }

  /** The same settings with another tokens per sequence ({@code seq_len}). */
  public TrainConfig withSeqLen(int seqLen) {
    return with("withSeqLen(" + seqLen + ")", "seq_len", seqLen);
  }

  /** The same settings with another micro-batches per optimizer step ({@code grad_accum}). */
  public TrainConfig withGradAccum(int gradAccum) {
    return with("withGradAccum(" + gradAccum + ")", "grad_accum", gradAccum);
  }

  /** The same settings with another decoupled weight decay ({@code weight_decay}). */
  public TrainConfig withWeightDecay(double weightDecay) {
    return with("withWeightDecay(" + weightDecay + ")", "weight_decay", weightDecay);
  }

  /** The same settings with another Adam first-moment decay ({@code beta1}). */
  public TrainConfig withBeta1(double beta1) {
    return with("withBeta1(" + beta1 + ")", "beta1", beta1);
  }

  /** The same settings with another Adam second-moment decay ({@code beta2}). */
  public TrainConfig withBeta2(double beta2) {
    return with("withBeta2(" + beta2 + ")", "beta2", beta2);
  }

  /** The same settings with another Adam denominator guard ({@code eps}). */
  public TrainConfig withEps(double eps) {
    return with("withEps(" + eps + ")", "eps", eps);
  }

  /** The same settings with another gradient-norm limit, 0 for none ({@code clip}). */
  public TrainConfig withClip(double clip) {
    return with("withClip(" + clip + ")", "clip", clip);
  }

  /** The same settings with another steps between validation passes ({@code eval_every}). */
  public TrainConfig withEvalEvery(int evalEvery) {
    return with("withEvalEvery(" + evalEvery + ")", "eval_every", evalEvery);
  }

  /** The same settings with another validation batches per pass ({@code eval_batches}). */
  public TrainConfig withEvalBatches(int evalBatches) {
    return with("withEvalBatches(" + evalBatches + ")", "eval_batches", evalBatches);
  }

  /** The same settings with another steps between checkpoints ({@code checkpoint_every}). */
  public TrainConfig withCheckpointEvery(int checkpointEvery) {
    return with("withCheckpointEvery(" + checkpointEvery + ")", "checkpoint_every", checkpointEvery);
  }

  /** The same settings with another number of newest checkpoints kept ({@code keep_last}). */
  public TrainConfig withKeepLast(int keepLast) {
    return with("withKeepLast(" + keepLast + ")", "keep_last", keepLast);
  }

  /** The same settings with another whether the best checkpoint is also kept ({@code keep_best}). */
  public TrainConfig withKeepBest(boolean keepBest) {
    return with("withKeepBest(" + keepBest + ")", "keep_best", keepBest);
  }

  /** The same settings with another seed of ND4J's random generator ({@code seed}). */
  public TrainConfig withSeed(long seed) {
    return with("withSeed(" + seed + ")", "seed", seed);
  }

  /** The same settings with another ND4J/OpenMP threads, 0 for the backend's choice ({@code threads}). */
  public TrainConfig withThreads(int threads) {
    return with("withThreads(" + threads + ")", "threads", threads);
  }

  /** The same settings with another whether non-finite steps are skipped ({@code skip_nonfinite}). */
  public TrainConfig withSkipNonfinite(boolean skipNonfinite) {
    return with("withSkipNonfinite(" + skipNonfinite + ")", "skip_nonfinite", skipNonfinite);
  }

  /** The same settings with another steps between log lines ({@code log_every}). */
  public TrainConfig withLogEvery(int logEvery) {
    return with("withLogEvery(" + logEvery + ")", "log_every", logEvery);
  }

  /** The same settings with another when to draw the progress bar ({@code progress}). */
  public TrainConfig withProgress(Progress progress) {
    return with("withProgress(" + progress + ")", "progress", progress);
  }

  /** The same settings with another peak FLOP/s for MFU, 0 to omit ({@code peak_flops}). */
  public TrainConfig withPeakFlops(double peakFlops) {
    return with("withPeakFlops(" + peakFlops + ")", "peak_flops", peakFlops);
  }

  /** The same settings with activation recomputation on or off ({@code recompute}). */
  public TrainConfig withRecompute(boolean recompute) {
    return with("withRecompute(" + recompute + ")", "recompute", recompute);
  }

  /** A copy with {@code key, value} pairs replaced, validated as JSON input is; {@code call} names the wither. */
  private TrainConfig with(String call, Object... keyValues) {
    ObjectNode node = toJson();
    for (int i = 0; i < keyValues.length; i += 2) {
      Object v = keyValues[i + 1];
      if (v == null) {
        throw new IllegalArgumentException("TrainConfig." + call + ": " + keyValues[i] + " must not be null");
      }
      node.set((String) keyValues[i], v instanceof Enum<?> e ? JSON.valueToTree(e.name().toLowerCase(Locale.ROOT))
          : JSON.valueToTree(v));
    }
    return fromJson(node, "TrainConfig." + call);
  }

  /** This configuration as a JSON object with snake_case keys. */
  public ObjectNode toJson() {
    return StrictJson.toJson(this, StrictJson.Keys.SNAKE_CASE);
  }

  /**
   * Reads a configuration: keys missing from {@code node} keep their {@link #defaults()}; values may be
   * JSON numbers/booleans or strings holding them (as overrides produce); unknown keys are errors that
   * list the valid ones.
   *
   * @param source names the origin in error messages (a file name)
   */
  public static TrainConfig fromJson(JsonNode node, String source) {
    return StrictJson.bind(node, defaults(), source, StrictJson.Keys.SNAKE_CASE);
  }

  /** Reads a JSON file; see {@link #fromJson(JsonNode, String)}. */
  public static TrainConfig read(Path file) throws IOException {
    return fromJson(StrictJson.read(file), file.toString());
  }

  /** Writes this configuration as pretty JSON. */
  public void write(Path file) throws IOException {
    Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
  }

  /** The valid JSON keys, in declaration order. */
  public static List<String> keys() {
    return StrictJson.keys(TrainConfig.class, StrictJson.Keys.SNAKE_CASE);
  }

  private static void positive(String key, double v, String fix) {
    check(v > 0 && Double.isFinite(v), key, v, "must be finite and > 0", fix);
  }

  private static void check(boolean ok, String key, Object value, String limit, String fix) {
    if (!ok) {
      throw new IllegalArgumentException(key + "=" + value + " " + limit + "; " + fix);
    }
  }
}
