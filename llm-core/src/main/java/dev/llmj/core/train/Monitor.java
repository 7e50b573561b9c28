package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-step output: metrics.jsonl lines, SLF4J log lines every {@code log_every} steps, a stderr bar. */
final class Monitor implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainConfig cfg;
  private final long totalSteps;
  private final double flopsPerToken;
  private final BufferedWriter metrics;
  private final PrintStream bar;
  private final long startNanos = System.nanoTime();
  private long startStep = -1;

  Monitor(TrainConfig cfg, Path metricsFile, long resumedStep, double flopsPerToken, PrintStream stderr)
      throws IOException {
    this.cfg = cfg;
    this.totalSteps = cfg.totalSteps();
    this.flopsPerToken = flopsPerToken;
    boolean showBar = cfg.progress() == TrainConfig.Progress.ALWAYS
        || (cfg.progress() == TrainConfig.Progress.AUTO && System.console() != null);
    this.bar = showBar ? stderr : null;
    if (metricsFile == null) {
      metrics = null;
      return;
    }
    if (metricsFile.getParent() != null) {
      Files.createDirectories(metricsFile.getParent());
    }
    truncateAfter(metricsFile, resumedStep);
    metrics = Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Records step {@code step} (0-based) that took {@code nanos}. */
  void step(long step, long tokensSoFar, StepEngine.Result r, double lr, long nanos, boolean skipped)
      throws IOException {
    if (startStep < 0) {
      startStep = step;
    }
    double seconds = nanos / 1e9;
    double tokensPerS = r.tokens() / seconds;
    double mfu = cfg.peakFlops() > 0 && flopsPerToken > 0 ? flopsPerToken * tokensPerS / cfg.peakFlops() : Double.NaN;
    ObjectNode line = JSON.createObjectNode();
    line.put("step", step + 1);
    line.put("tokens", tokensSoFar);
    line.put("loss", r.loss());
    line.put("lr", lr);
    line.put("grad_norm", r.gradNorm());
    line.put("tokens_per_s", tokensPerS);
    if (!Double.isNaN(mfu)) {
      line.put("mfu", mfu);
    }
    if (skipped) {
      line.put("skipped", true);
    }
    if (r.reduceNanos() > 0) {
      line.put("allreduce_s", r.reduceNanos() / 1e9); // data-parallel jobs: time summing over the ranks
    }
    write(line);
    long done = step + 1;
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    double eta = elapsed / (done - startStep) * (totalSteps - done);
    if (done % cfg.logEvery() == 0 || done == totalSteps) {
      log.info(String.format(Locale.ROOT, "step %d/%d loss %.4f lr %.3e grad_norm %.3f %.0f tok/s%s eta %s",
          done, totalSteps, r.loss(), lr, r.gradNorm(), tokensPerS,
          Double.isNaN(mfu) ? "" : String.format(Locale.ROOT, " mfu %.1f%%", 100 * mfu), clock(eta)));
    }
    if (bar != null) {
      int width = 24;
      int filled = (int) Math.min(width, width * done / Math.max(1, totalSteps));
      bar.print(String.format(Locale.ROOT, "\r[%s%s] %d/%d loss %.4f %.0f tok/s ETA %s ",
          "#".repeat(filled), ".".repeat(width - filled), done, totalSteps, r.loss(), tokensPerS, clock(eta)));
      bar.flush();
    }
  }

  void evaluation(long stepsDone, Evaluation e) throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.put("step", stepsDone);
    line.put(GraphCheckpoint.VAL_LOSS, e.loss());
    line.put("val_ppl", e.perplexity());
    if (!Double.isNaN(e.bitsPerByte())) {
      line.put("val_bpb", e.bitsPerByte());
    }
    write(line);
    log.info(String.format(Locale.ROOT, "step %d validation loss %.4f ppl %.2f bpb %.4f (%d batches)",
        stepsDone, e.loss(), e.perplexity(), e.bitsPerByte(), e.batches()));
  }

  @Override
  public void close() throws IOException {
    if (bar != null) {
      bar.println();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  private void write(ObjectNode line) throws IOException {
    if (metrics != null) {
      metrics.write(JSON.writeValueAsString(line));
      metrics.write('\n');
      metrics.flush();
    }
  }

  /** A resumed run repeats the steps after its checkpoint; drop their old lines so each step appears once. */
  private static void truncateAfter(Path file, long resumedStep) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      try {
        JsonNode n = JSON.readTree(l);
        if (n != null && n.path("step").asLong(Long.MAX_VALUE) <= Math.max(resumedStep, 0)) {
          kept.add(l);
        }
      } catch (IOException e) {
        // A line cut short by a kill: drop it.
      }
    }
    AtomicFiles.writeFile(file, tmp -> Files.write(tmp, kept, StandardCharsets.UTF_8));
  }

  private static String clock(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "--:--";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%02d:%02d", s / 60, s % 60);
  }
}
