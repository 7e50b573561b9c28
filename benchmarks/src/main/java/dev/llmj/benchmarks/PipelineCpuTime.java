package dev.llmj.benchmarks;

import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.Steps;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The default pipeline on one thread, timed by the thread's CPU time as well as the wall clock.
 * On a machine shared with other jobs the wall clock measures the neighbours; CPU seconds measure
 * the work, so MB per CPU second is what one idle core would do.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.llmj.benchmarks.PipelineCpuTime [runs]
 * </pre>
 */
public final class PipelineCpuTime {
  private PipelineCpuTime() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    if (runs < 2) {
      throw new IllegalArgumentException("runs=" + runs + " leaves no run after the warm-up one; pass 2 or more");
    }
    List<Path> files = MailCorpus.files();
    double mb;
    try (CorpusReader r = Corpus.read(files, ReaderOptions.defaults())) {
      while (r.hasNext()) r.next();
      mb = r.bytesRead() / 1e6;
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      long kept = Pipeline.builder().steps(Steps.defaults()).threads(1).build()
          .run(() -> Corpus.read(files, ReaderOptions.defaults()), DocumentSink.discard(), null).documentsWritten();
      double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
      double wall = (System.nanoTime() - wall0) / 1e9;
      System.out.printf(Locale.ROOT, "run %d: %d kept, %.2f s CPU (%.1f MB/s), %.2f s wall (%.1f MB/s)%n", i, kept, cpu,
          mb / cpu, wall, mb / wall);
      if (i > 0) best = Math.min(best, cpu); // run 0 warms the JIT
    }
    System.out.printf(Locale.ROOT, "best CPU time after warm-up: %.2f s = %.1f MB per CPU second (%.1f MB corpus)%n", best, mb / best, mb);
  }
}
