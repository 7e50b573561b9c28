package dev.llmj.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.llmj.data.io.AtomicFiles;
import dev.llmj.data.io.Compression;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.JsonlShardWriter;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.PipelineStats;
import dev.llmj.data.pipeline.Steps;
import dev.llmj.data.spark.SparkPrepare;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * The default pipeline on the mail corpus, in-process on 2 threads against {@code --engine spark}
 * on {@code local[2]}, in one JVM, alternating, both writing gzip JSONL shards. Spark's start-up is
 * left out (the session is started once before the runs); each Spark run still pays its job
 * scheduling. Reports wall and process CPU seconds per run and the throughput ratio Spark /
 * in-process (above 1 is Spark faster).
 *
 * <pre>
 * java -Xmx2g -cp 'benchmarks/target/benchmarks.jar:llm-examples/target/spark-jars/*' \
 *     dev.llmj.benchmarks.SparkPrepareComparison [runs]
 * </pre>
 */
public final class SparkPrepareComparison {
  private SparkPrepareComparison() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    if (runs < 2) throw new IllegalArgumentException("runs=" + runs + " leaves no run after the warm-up one; pass 2 or more");
    List<Path> files = MailCorpus.files();
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.sparkproject", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    SparkSession spark = SparkSession.builder().master("local[2]").appName("llmj-bench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2").getOrCreate();
    java.util.concurrent.atomic.AtomicLong shuffled = new java.util.concurrent.atomic.AtomicLong();
    spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) shuffled.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
      }
    });
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Path tmp = Files.createTempDirectory("llmj-spark-bench");
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
    double[] bestCpu = {Double.MAX_VALUE, Double.MAX_VALUE};
    double mb = 0;
    try {
      for (int i = 0; i < runs; i++) {
        for (int k = 0; k < 2; k++) {
          boolean onSpark = (i + k) % 2 == 1; // alternate which engine goes first
          Path out = tmp.resolve("run-" + i + "-" + (onSpark ? "spark" : "local"));
          long cpu0 = os.getProcessCpuTime();
          long shuffled0 = shuffled.get();
          long t0 = System.nanoTime();
          PipelineStats s;
          if (onSpark) {
            s = SparkPrepare.run(spark, SparkPrepare.Job.of(files.stream().map(Path::toString).toList(), out.toString())).stats();
          } else {
            try (JsonlShardWriter w = JsonlShardWriter.create(out, "part", 256L << 20, Compression.GZIP)) {
              s = Pipeline.builder().steps(Steps.defaults()).threads(2).build()
                  .run(() -> Corpus.read(files, ReaderOptions.defaults()), w, null);
            }
          }
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
          mb = s.bytesRead() / 1e6;
          int e = onSpark ? 1 : 0;
          if (i > 0) { // run 0 warms the JIT
            best[e] = Math.min(best[e], wall);
            bestCpu[e] = Math.min(bestCpu[e], cpu);
          }
          long shuffleBytes = shuffled.get() - shuffled0; // the listener runs a little behind: approximate
          System.out.printf(Locale.ROOT, "run %d %-10s %,d kept  %.2f s wall (%.1f MB/s)  %.2f s CPU  heap used %.0f MB%s%n", i,
              onSpark ? "spark" : "in-process", s.documentsWritten(), wall, mb / wall, cpu,
              (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1e6,
              onSpark ? String.format(Locale.ROOT, "  shuffled %,d bytes (%.0f per document)", shuffleBytes,
                  (double) shuffleBytes / s.documentsRead()) : "");
          AtomicFiles.deleteTree(out);
        }
      }
    } finally {
      spark.stop();
      AtomicFiles.deleteTree(tmp);
    }
    System.out.printf(Locale.ROOT, "best after warm-up on %.1f MB: in-process %.2f s (%.1f MB/s), spark %.2f s (%.1f MB/s);"
        + " spark/in-process throughput %.2fx wall, %.2fx per CPU second; max heap %d MB%n", mb, best[0], mb / best[0], best[1],
        mb / best[1], best[0] / best[1], bestCpu[0] / bestCpu[1], Runtime.getRuntime().maxMemory() >> 20);
  }
}
