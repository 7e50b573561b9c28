package dev.llmj.data.spark;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.pipeline.PipelineStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark job against the in-process pipeline, in one local[2] session. */
class SparkPrepareTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkRuns.local("local[2]");
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
  }

  static List<String> names(List<Path> files) {
    return files.stream().map(Path::toString).toList();
  }

  /** Every corpus, then a copy of Moby-Dick: 140 exact duplicates at the end of the input. */
  static List<Path> inputsWithCopies(Path tmp) throws IOException {
    List<Path> inputs = new java.util.ArrayList<>(SparkRuns.allCorpora());
    Path copy = Files.createDirectories(tmp.resolve("copies")).resolve("moby-dick-again.jsonl.gz");
    Files.copy(SparkRuns.CORPORA.resolve("moby-dick.jsonl.gz"), copy);
    inputs.add(copy);
    return inputs;
  }

  @Test
  void defaultPipelineEqualsInProcessOnEveryCorpus(@TempDir Path tmp) throws IOException {
    List<Path> inputs = inputsWithCopies(tmp);
    PipelineStats ref = SparkRuns.inProcess(inputs, "{}", tmp.resolve("ref"));
    long t0 = System.nanoTime();
    SparkPrepare.Result r = SparkPrepare.run(spark, SparkPrepare.Job.of(names(inputs), tmp.resolve("spark").toString()));
    System.out.printf("spark: %.1f s, in-process: %.1f s%n%s", (System.nanoTime() - t0) / 1e9, ref.seconds(), r.stats().toTable());
    SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, tmp.resolve("spark"));
    assertTrue(ref.step("minhash_dedup").droppedTotal() > 100, "the corpora hold near duplicates");
    assertTrue(ref.step("exact_dedup").droppedTotal() >= 139, "the copy repeats Moby-Dick");
  }

  @Test
  void everyStepEqualsInProcessWithClustersClosedOnSpark(@TempDir Path tmp) throws IOException {
    List<Path> inputs = inputsWithCopies(tmp);
    PipelineStats ref = SparkRuns.inProcess(inputs, SparkRuns.EVERY_STEP, tmp.resolve("ref"));
    // No edge list is collected: the clusters are closed by large-star/small-star on Spark.
    SparkPrepare.Job job = SparkPrepare.Job.of(names(inputs), tmp.resolve("spark").toString())
        .withPipeline(SparkRuns.EVERY_STEP).withCollectEdges(0);
    SparkPrepare.Result r = SparkPrepare.run(spark, job);
    System.out.print(r.stats().toTable());
    SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, tmp.resolve("spark"));
    assertTrue(ref.step("exact_dedup").counters().get("unchecked_table_full") > 0, "the small table fills up");
    assertTrue(ref.steps().get(ref.steps().size() - 1).droppedTotal() > 0, "the last exact_dedup drops what the full table let through");
  }
}
