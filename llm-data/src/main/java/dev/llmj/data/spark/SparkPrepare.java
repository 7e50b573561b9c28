package dev.llmj.data.spark;

import dev.llmj.data.pipeline.DistributedSteps;
import dev.llmj.data.pipeline.PipelineConfig;
import dev.llmj.data.pipeline.PipelineStats;
import dev.llmj.data.pipeline.Step;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.Tuple3;

/**
 * {@code prepare} on Apache Spark: the same pipeline file, the same steps and the same output as
 * the in-process {@link dev.llmj.data.pipeline.Pipeline} (the same kept documents with the same
 * texts in input order, the same stats counters, the same rejected documents), with the input
 * spread over a cluster, one task per input file.
 *
 * <p>A document's identity is (input file, position in it), so "the first survives" means what it
 * means in-process. A pipeline with dedup steps reads the input twice: the first pass computes
 * each document's dedup keys, the driver settles the dedups from the keys alone (shuffles of 16 to
 * 120 bytes a document), and the second pass runs every step again, drops the settled duplicates
 * and writes {@code part-NNNNN-MMMMM.jsonl[.gz]} shards per input file NNNNN (and
 * {@code tokens/part-NNNNN/} with a tokenizer). {@code stats.json} and then {@code _SUCCESS} are
 * written last. The driver never holds a document text.
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
 * SparkPrepare.Job job = SparkPrepare.Job.of(List.of("hdfs:///corpus/*.parquet"), "hdfs:///clean")
 *     .withPipeline(Files.readString(Path.of("pipeline.json")));
 * PipelineStats stats = SparkPrepare.run(spark, job).stats();
 * }</pre>
 */
public final class SparkPrepare {
  private SparkPrepare() {}

  /**
   * One run.
   *
   * @param inputs local paths (files, folders, globs) and Hadoop URIs ({@code hdfs://}, {@code s3a://})
   * @param output local folder or Hadoop URI; must be empty or absent
   * @param pipelineJson the pipeline file's text ({@code {}} for the default pipeline)
   * @param strict stop at the first bad line or file instead of counting it
   * @param tokenizer a tokenizer path readable by every executor, or null for no token shards
   * @param tokensPerShard tokens per token shard, or 0 for the default
   * @param collectEdges near-dedup edge lists up to this size are closed on the driver (at most
   *     about 200 bytes an edge there; an edge per near duplicate, about), larger ones on the cluster
   */
  public record Job(List<String> inputs, String output, String pipelineJson, boolean strict, String tokenizer,
      long tokensPerShard, long collectEdges) {
    public Job {
      inputs = List.copyOf(inputs);
      if (inputs.isEmpty()) throw new IllegalArgumentException("No input given; pass at least one file, folder, glob or URI");
      if (output == null || output.isBlank()) throw new IllegalArgumentException("output must name a folder or a URI");
      if (pipelineJson == null) throw new IllegalArgumentException("pipelineJson must be the pipeline file's text, or {}");
      if (tokensPerShard < 0) throw new IllegalArgumentException("tokensPerShard=" + tokensPerShard + " must be 0 (default) or more");
      if (collectEdges < 0) throw new IllegalArgumentException("collectEdges=" + collectEdges + " must be 0 or more");
    }

    /** The default pipeline, no tokenizer, up to 2 million edges closed on the driver (at most ~400 MB there). */
    public static Job of(List<String> inputs, String output) {
      return new Job(inputs, output, "{}", false, null, 0, 2_000_000L);
    }

    public Job withPipeline(String json) {
      return new Job(inputs, output, json, strict, tokenizer, tokensPerShard, collectEdges);
    }

    public Job withStrict(boolean on) {
      return new Job(inputs, output, pipelineJson, on, tokenizer, tokensPerShard, collectEdges);
    }

    public Job withTokenizer(String path, long perShard) {
      return new Job(inputs, output, pipelineJson, strict, path, perShard, collectEdges);
    }

    public Job withCollectEdges(long n) {
      return new Job(inputs, output, pipelineJson, strict, tokenizer, tokensPerShard, n);
    }
  }

  /** What a run did: the stats as in-process reports them, and the tokens written (0 without a tokenizer). */
  public record Result(PipelineStats stats, long tokens) {}

  /**
   * Runs the job on {@code spark}'s cluster.
   *
   * @throws IllegalArgumentException for bad input or settings, and for the first bad line with strict
   */
  public static Result run(SparkSession spark, Job job) {
    long start = System.nanoTime();
    PipelineConfig config = PipelineConfig.fromJson(job.pipelineJson(), "pipeline config");
    List<Step> steps = config.steps();
    List<DistributedSteps.Kind> kinds = TaskSettings.kinds(steps); // fails early on a step Spark cannot run
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<InputFiles.Listed> listed = InputFiles.expand(job.inputs(), sc.hadoopConfiguration());
    List<String> files = listed.stream().map(InputFiles.Listed::name).toList();
    String root = InputFiles.location(job.output());
    OutputDir output = new OutputDir(root, sc.hadoopConfiguration());
    output.prepare();
    List<String> locations = files.stream().map(InputFiles::location).toList();
    // Sent once per executor, not with every task: it lists every input file.
    org.apache.spark.broadcast.Broadcast<String> settings = sc.broadcast(new TaskSettings(job.pipelineJson(), job.strict(), files, locations, root,
        InputFiles.toBytes(sc.hadoopConfiguration()), job.tokenizer() == null ? null : InputFiles.location(job.tokenizer()),
        job.tokensPerShard()).toJson());
    int n = files.size();
    // Partition p reads file order[p]: the largest files first, so that no large file starts last
    // and runs alone at the end of a pass.
    FileSlots slots = FileSlots.largestFirst(listed.stream().mapToLong(InputFiles.Listed::bytes).toArray());
    JavaRDD<Integer> fileIndex = sc.parallelize(slots.files(), n);
    List<Map<String, Long>> dedupCounters = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) dedupCounters.add(null);
    boolean dedup = TaskSettings.lastDedup(kinds) >= 0;
    Dedups dedups = new Dedups(sc, job.collectEdges());
    try {
      JavaPairRDD<Long, Integer> losers;
      JavaRDD<Tuple3<int[], long[], long[][]>> keys = null;
      if (dedup) {
        keys = fileIndex.map(f -> Tasks.keys(TaskSettings.fromJson(settings.value()), f))
            .persist(StorageLevel.MEMORY_AND_DISK());
        losers = dedups.settle(steps, keys, dedupCounters);
      } else {
        losers = sc.parallelizePairs(new ArrayList<>(), 1);
      }
      JavaPairRDD<Integer, Tuple2<Long, Integer>> byFile = losers
          .mapToPair(t -> new Tuple2<>(Identity.file(t._1()), new Tuple2<>(Identity.position(t._1()), t._2())))
          .partitionBy(slots); // file order[p]'s losers go to partition p
      List<String> counts = fileIndex.zipPartitions(byFile, (fs, ls) -> {
        int f = fs.next();
        List<Tuple2<Long, Integer>> mine = new ArrayList<>();
        ls.forEachRemaining(t -> mine.add(t._2()));
        return List.of(Tasks.write(TaskSettings.fromJson(settings.value()), f, mine).toJson()).iterator();
      }).collect();
      if (keys != null) keys.unpersist(false);
      losers.unpersist(false);
      settings.destroy();
      PartitionCounts total = PartitionCounts.empty(steps.size());
      for (String c : counts) total = total.plus(PartitionCounts.fromJson(c));
      List<Map<String, Long>> counters = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        counters.add(dedupCounters.get(i) != null ? dedupCounters.get(i) : new TreeMap<>(total.counters().get(i)));
      }
      PipelineStats stats = DistributedSteps.stats(steps, total.read(), total.written(), total.bytes(),
          (System.nanoTime() - start) / 1e9, dedup ? 2 : 1, total.problems(), total.examples(), total.kept(),
          total.dropped(), counters, total.nanos());
      output.write("stats.json", stats.toJson().getBytes(StandardCharsets.UTF_8));
      output.cleanScratch();
      output.write(OutputDir.SUCCESS, new byte[0]);
      return new Result(stats, total.tokens());
    } catch (Exception e) { // Scala code throws SparkException, a checked exception, undeclared
      if (e instanceof SparkException s) throw unwrap(s);
      if (e.getCause() instanceof SparkException s) throw unwrap(s);
      if (e instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e);
    } finally {
      dedups.release();
    }
  }

  /** Which partition reads which input file: {@code files()[p]} is read by partition p. */
  static final class FileSlots extends Partitioner {
    private final int[] slot; // file -> partition

    private FileSlots(int[] slot) {
      this.slot = slot;
    }

    /** Files in decreasing size, ties in input order. */
    static FileSlots largestFirst(long[] bytes) {
      Integer[] order = IntStream.range(0, bytes.length).boxed().toArray(Integer[]::new);
      Arrays.sort(order, (a, b) -> bytes[a] != bytes[b] ? Long.compare(bytes[b], bytes[a]) : Integer.compare(a, b));
      int[] slot = new int[bytes.length];
      for (int p = 0; p < order.length; p++) slot[order[p]] = p;
      return new FileSlots(slot);
    }

    List<Integer> files() {
      Integer[] files = new Integer[slot.length];
      for (int f = 0; f < slot.length; f++) files[slot[f]] = f;
      return List.of(files);
    }

    @Override
    public int numPartitions() {
      return slot.length;
    }

    /** @param key an input file's index */
    @Override
    public int getPartition(Object key) {
      return slot[(Integer) key];
    }
  }

  /** The task's own exception when Spark kept it (bad input stays an IllegalArgumentException), else a state error. */
  private static RuntimeException unwrap(SparkException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException || t instanceof UnsupportedOperationException
          || t instanceof IllegalStateException || t instanceof java.io.UncheckedIOException) {
        return (RuntimeException) t;
      }
    }
    return new IllegalStateException("The Spark job failed: " + e.getMessage(), e);
  }
}
