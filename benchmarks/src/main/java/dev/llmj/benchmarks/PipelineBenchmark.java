package dev.llmj.benchmarks;

import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.Steps;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The default pipeline (normalize, exact dedup, MinHash dedup, Gopher repetition and quality, PII)
 * streaming from the gzip JSONL files of the SpamAssassin mail corpus, with a 256 MB heap to show
 * memory stays bounded. Each invocation processes the whole corpus once: MB/s = corpus MB /
 * reported seconds. Also the bare reader, for the share of time spent decompressing and parsing.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Pipeline -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class PipelineBenchmark {
  private List<Path> files;
  private double megabytes;

  @Setup(Level.Trial)
  public void load() throws IOException {
    files = MailCorpus.files();
    long n = 0;
    try (CorpusReader r = Corpus.read(files, ReaderOptions.defaults())) {
      while (r.hasNext()) {
        r.next();
        n++;
      }
      megabytes = r.bytesRead() / 1e6;
    }
    System.out.printf("%ncorpus: %d documents, %.1f MB of JSONL%n", n, megabytes);
  }

  @TearDown(Level.Trial)
  public void peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
    }
    System.out.printf("%nheap: ran in -Xmx%.0fm; sum of the heap pools' peaks %.0f MB (an upper bound: the pools peak at"
        + " different times); the corpus is %.1f MB%n", Runtime.getRuntime().maxMemory() / 1048576.0, peak / 1e6, megabytes);
  }

  /** Reading and parsing the gzip JSONL files only. */
  @Benchmark
  public long readOnly() {
    long n = 0;
    try (CorpusReader r = Corpus.read(files, ReaderOptions.defaults())) {
      while (r.hasNext()) {
        r.next();
        n++;
      }
    }
    return n;
  }

  /** The default pipeline from the gzip files, one thread (reading twice: MinHash needs two passes). */
  @Benchmark
  public long defaultPipelineFromFiles1Thread() {
    return pipelineFromFiles(1);
  }

  /** The default pipeline from the gzip files on all cores. */
  @Benchmark
  public long defaultPipelineFromFilesAllCores() {
    return pipelineFromFiles(Runtime.getRuntime().availableProcessors());
  }

  private long pipelineFromFiles(int threads) {
    return Pipeline.builder().steps(Steps.defaults()).threads(threads).build()
        .run(() -> Corpus.read(files, ReaderOptions.defaults()), DocumentSink.discard(), null).documentsWritten();
  }
}
