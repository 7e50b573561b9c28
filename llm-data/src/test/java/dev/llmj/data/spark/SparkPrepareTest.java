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

  /**
   * The mail has no exact duplicates, so the (empty) list of exact losers goes to the executors and
   * the MinHash keys are filtered where they are, while the clusters are closed on Spark.
   */
  @Test
  void lossesSentToExecutorsWithClustersClosedOnSpark(@TempDir Path tmp) throws IOException {
    List<Path> mail;
    try (var files = Files.newDirectoryStream(SparkRuns.CORPORA, "spamassassin-*.jsonl.gz")) {
      mail = new java.util.ArrayList<>();
      files.forEach(mail::add);
    }
    mail.sort(null);
    PipelineStats ref = SparkRuns.inProcess(mail, "{}", tmp.resolve("ref"));
    SparkPrepare.run(spark, SparkPrepare.Job.of(names(mail), tmp.resolve("spark").toString()).withCollectEdges(0));
    SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, tmp.resolve("spark"));
    assertEquals(0, ref.step("exact_dedup").droppedTotal());
    assertTrue(ref.step("minhash_dedup").droppedTotal() > 200, "near duplicates: " + ref.step("minhash_dedup").droppedTotal());
  }

  @Test
  void badInputIsCountedWithFileAndLineAndFatalOnlyWhenStrict(@TempDir Path tmp) throws IOException {
    Path bad = tmp.resolve("in/bad.jsonl");
    Files.createDirectories(bad.getParent());
    Files.writeString(bad, "{\"text\": \"a fine first document with enough words in it to pass\"}\n{oops\n"
        + "{\"title\": \"no text\"}\n{\"text\": 7}\n{\"text\": \"the last one, also fine and long enough\"}\n");
    List<Path> inputs = List.of(bad, SparkRuns.SOTU); // SOTU is clean: the strict failure can only be bad.jsonl's
    PipelineStats ref = SparkRuns.inProcess(inputs, "{}", tmp.resolve("ref"));
    SparkPrepare.run(spark, SparkPrepare.Job.of(names(inputs), tmp.resolve("spark").toString()));
    SparkRuns.assertSameOutput(tmp.resolve("ref"), ref, tmp.resolve("spark"));
    assertEquals(3, ref.inputProblems().values().stream().mapToLong(Long::longValue).sum(), ref.inputProblems().toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkPrepare.run(spark,
        SparkPrepare.Job.of(names(inputs), tmp.resolve("strict").toString()).withStrict(true)));
    assertTrue(e.getMessage().contains(bad + ":2"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("strict").resolve(OutputDir.SUCCESS)), "a failed run is not marked finished");
  }

  @Test
  void parquetThroughHadoopUrisGivesTheTextsOfTheSameDocumentsAsJsonl(@TempDir Path tmp) throws IOException {
    List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    List<String> texts = new java.util.ArrayList<>();
    try (dev.llmj.data.io.CorpusReader r = dev.llmj.data.io.Corpus.read(SparkRuns.SOTU)) {
      while (r.hasNext()) {
        dev.llmj.data.Document d = r.next();
        rows.add(org.apache.spark.sql.RowFactory.create(d.text(), Integer.parseInt(d.metadata().get("year"))));
      }
    }
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("text", org.apache.spark.sql.types.DataTypes.StringType)
        .add("year", org.apache.spark.sql.types.DataTypes.IntegerType);
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(tmp.resolve("parquet").toString());
    PipelineStats ref = SparkRuns.inProcess(List.of(SparkRuns.SOTU), "{}", tmp.resolve("ref"));
    // Through Hadoop's file system API, as for hdfs:// or s3a://: file: URIs for the input glob and the output.
    SparkPrepare.Result r = SparkPrepare.run(spark,
        SparkPrepare.Job.of(List.of(tmp.resolve("parquet").toUri() + "*.parquet"), tmp.resolve("spark").toUri().toString()));
    assertTrue(Files.exists(tmp.resolve("spark").resolve(OutputDir.SUCCESS)));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> want = new java.util.ArrayList<>();
    for (String line : SparkRuns.lines(tmp.resolve("ref"), "part")) want.add(json.readTree(line).get("text").asText());
    for (String line : SparkRuns.lines(tmp.resolve("spark"), "part")) {
      com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
      texts.add(n.get("text").asText());
      assertTrue(n.has("year") && n.get("id").asText().contains(".parquet:"), line.substring(0, 80));
    }
    assertEquals(ref.documentsWritten(), r.stats().documentsWritten());
    assertEquals(want, texts, "the same kept texts in the same order");
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
    assertTrue(ref.step("exact_dedup").counters().get("unchecked_table_full") >= 140, "the small table lets the copy through");
  }
}
