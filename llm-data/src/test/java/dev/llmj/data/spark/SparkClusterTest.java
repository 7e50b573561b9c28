package dev.llmj.data.spark;

import dev.llmj.data.pipeline.PipelineStats;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate executor JVMs ({@code local-cluster[2,1,1024]}): two workers started by Spark's own
 * launcher from a Spark home whose {@code jars/} holds the test class path's jars. The output
 * equals in-process, also when the first attempt of every task fails and Spark runs it again.
 */
class SparkClusterTest {
  @TempDir static Path home;
  static SparkSession spark;

  @BeforeAll
  static void start() throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
    List<String> dirs = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath();
      if (Files.isDirectory(p)) dirs.add(p.toString());
      else if (e.endsWith(".jar") && Files.isRegularFile(p)) Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
    }
    // The workers find the Spark home through these two properties (else through SPARK_HOME).
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.toString());
    spark = SparkSession.builder()
        .master("local-cluster[2,1,1024]")
        .appName("llmj-cluster-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
        .config("spark.task.maxFailures", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
    System.clearProperty("spark.testing");
    System.clearProperty("spark.test.home");
  }

  static List<Path> inputs() {
    return List.of(SparkRuns.SOTU, SparkRuns.CORPORA.resolve("moby-dick.jsonl.gz"),
        SparkRuns.CORPORA.resolve("spamassassin-spam-2.jsonl.gz"));
  }

  @Test
  void executorJvmsGiveTheInProcessOutput(@TempDir Path tmp) throws IOException {
    PipelineStats ref = SparkRuns.inProcess(inputs(), SparkRuns.EVERY_STEP, tmp.resolve("ref"));
    SparkPrepare.run(spark, SparkPrepare.Job.of(inputs().stream().map(Path::toString).toList(), tmp.resolve("spark").toString())
        .withPipeline(SparkRuns.EVERY_STEP));
    SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, tmp.resolve("spark"));
  }

  @Test
  void failedFirstAttemptsAreRetriedWithTheSameOutput(@TempDir Path tmp) throws IOException {
    PipelineStats ref = SparkRuns.inProcess(inputs(), "{}", tmp.resolve("ref"));
    spark.sparkContext().setLocalProperty(Tasks.FAIL_FIRST_ATTEMPT, "1,2"); // every task of both passes fails once
    try {
      Path out = tmp.resolve("spark");
      SparkPrepare.run(spark, SparkPrepare.Job.of(inputs().stream().map(Path::toString).toList(), out.toString()));
      SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, out);
    } finally {
      spark.sparkContext().setLocalProperty(Tasks.FAIL_FIRST_ATTEMPT, null);
    }
  }
}
