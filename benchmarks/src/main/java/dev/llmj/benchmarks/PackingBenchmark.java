package dev.llmj.benchmarks;

import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.ShardWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batches per second of {@link PackingIterator} (T = 256, B = 16) over a generated 2M-token
 * GPT-2-sized-vocabulary shard, next to a floor that builds the same batches from an in-heap int[]:
 * the gap is the cost of reading mapped shards and visiting windows in shuffled order.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Packing -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PackingBenchmark {
  private static final int SEQ_LEN = 256;
  private static final int BATCH = 16;
  private static final int TOKENS = 2_000_000;
  private static final int VOCAB = 50_257;

  private int[] heapTokens;
  private int heapWindow;

  @Setup(Level.Trial)
  public void setUp() {
    heapTokens = tokens();
  }

  private static int[] tokens() {
    return new SplittableRandom(42).ints(TOKENS, 0, VOCAB).toArray();
  }

  /** The iterator over the same tokens written as a shard; shuffled or in stream order. */
  @State(Scope.Benchmark)
  public static class Shards {
    @Param({"true", "false"})
    public boolean shuffle;

    private Path dir;
    private PackingIterator iterator;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("llmj-packing-bench");
      int[] tokens = tokens();
      try (ShardWriter w = ShardWriter.create(dir, ShardWriter.Config.of(VOCAB, VOCAB - 1))) {
        w.write(tokens, 0, tokens.length);
        w.finish();
      }
      PackingConfig cfg = PackingConfig.of(SEQ_LEN, BATCH).withEpochs(1000);
      iterator = PackingIterator.open(dir, shuffle ? cfg.withShuffle(42) : cfg.withoutShuffle());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Benchmark
  public DataSet packingIterator(Shards s) {
    if (!s.iterator.hasNext()) {
      s.iterator.reset();
    }
    return s.iterator.next();
  }

  /** The floor: the same (B, T) INT32 features and labels sliced from a plain int[]. */
  @Benchmark
  public DataSet heapArrayFloor() {
    int windows = (TOKENS - 1) / SEQ_LEN;
    int[] f = new int[BATCH * SEQ_LEN];
    int[] l = new int[BATCH * SEQ_LEN];
    for (int b = 0; b < BATCH; b++) {
      int start = (heapWindow++ % windows) * SEQ_LEN;
      System.arraycopy(heapTokens, start, f, b * SEQ_LEN, SEQ_LEN);
      System.arraycopy(heapTokens, start + 1, l, b * SEQ_LEN, SEQ_LEN);
    }
    long[] shape = {BATCH, SEQ_LEN};
    INDArray features = Nd4j.create(f, shape, DataType.INT32);
    INDArray labels = Nd4j.create(l, shape, DataType.INT32);
    return new DataSet(features, labels);
  }
}
