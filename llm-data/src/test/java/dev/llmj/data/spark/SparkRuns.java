package dev.llmj.data.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.JsonlShardWriter;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.PipelineConfig;
import dev.llmj.data.pipeline.PipelineStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** The in-process reference run, the Spark run, and their comparison, for the Spark tests. */
final class SparkRuns {
  static final Path CORPORA = Path.of("src/test/resources/corpora");
  static final Path SOTU = Path.of("src/main/resources/dev/llmj/data/corpus/sotu.jsonl.gz");

  /** SOTU, Moby-Dick and the six SpamAssassin files. */
  static List<Path> allCorpora() throws IOException {
    List<Path> files = new ArrayList<>(List.of(SOTU));
    try (Stream<Path> s = Files.list(CORPORA)) {
      s.sorted().forEach(files::add);
    }
    return files;
  }

  /** Every built-in step, exact dedup twice (the second one after the formatters), a small exact-dedup table. */
  static final String EVERY_STEP = """
      {"steps": [
        {"type": "normalize"},
        {"type": "length", "minChars": 40},
        {"type": "exact_dedup", "hashBits": 64, "maxDocuments": 4000},
        {"type": "c4"},
        {"type": "minhash_dedup", "bands": 20, "rows": 5},
        {"type": "gopher_repetition"},
        {"type": "gopher_quality"},
        {"type": "language", "languages": ["en"]},
        {"type": "toxic"},
        {"type": "pii"},
        {"type": "exact_dedup"}
      ],
      "output": {"compression": "none", "writeRejected": true}}
      """;

  static SparkSession local(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("llmj-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate();
  }

  /** The in-process run into {@code dir}: kept shard(s), rejected shard(s) and the stats. */
  static PipelineStats inProcess(List<Path> inputs, String pipelineJson, Path dir) throws IOException {
    PipelineConfig c = PipelineConfig.fromJson(pipelineJson);
    Pipeline p = Pipeline.builder().steps(c.steps()).threads(2).build();
    ReaderOptions reader = c.reader();
    try (JsonlShardWriter kept = JsonlShardWriter.create(dir, "part", Long.MAX_VALUE, c.output().compression());
        JsonlShardWriter rejected = JsonlShardWriter.create(dir.resolve("rejected"), "rejected", Long.MAX_VALUE,
            c.output().compression())) {
      return p.run(() -> Corpus.read(inputs, reader), kept, c.output().writeRejected() ? rejected : null);
    }
  }

  /** The lines of every {@code prefix*} JSONL shard directly in {@code dir}, files in name order. */
  static List<String> lines(Path dir, String prefix) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().contains(".jsonl"))
          .sorted().toList();
    }
    for (Path f : files) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Corpus.openDecompressed(f), StandardCharsets.UTF_8))) {
        r.lines().forEach(out::add);
      }
    }
    return out;
  }

  /** stats.json without the timings and the pass count, which differ between engines by design. */
  static JsonNode counters(String statsJson) throws IOException {
    ObjectNode n = (ObjectNode) new ObjectMapper().readTree(statsJson);
    n.remove("seconds");
    n.remove("passes");
    for (JsonNode s : n.get("steps")) ((ObjectNode) s).remove("seconds");
    return n;
  }

  /** Asserts the Spark output in {@code spark} equals the in-process output in {@code ref}. */
  static void assertSameOutput(Path ref, PipelineStats refStats, Path spark) throws IOException {
    assertTrue(Files.exists(spark.resolve(OutputDir.SUCCESS)), "_SUCCESS is written at the end");
    assertEquals(counters(refStats.toJson()), counters(Files.readString(spark.resolve("stats.json"))), "stats.json counters");
    List<String> want = lines(ref, "part");
    List<String> got = lines(spark, "part");
    assertEquals(want.size(), got.size(), "kept documents");
    for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), "kept document " + i + " in input order");
    List<String> wantRejected = new ArrayList<>(lines(ref.resolve("rejected"), "rejected"));
    List<String> gotRejected = new ArrayList<>(lines(spark.resolve("rejected"), "rejected"));
    wantRejected.sort(null);
    gotRejected.sort(null);
    assertEquals(wantRejected, gotRejected, "rejected documents with their drop_step and drop_reason");
    System.out.printf("same output: %d kept, %d rejected lines%n", got.size(), gotRejected.size());
  }

  private SparkRuns() {}
}
