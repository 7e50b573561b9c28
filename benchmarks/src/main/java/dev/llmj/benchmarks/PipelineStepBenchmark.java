package dev.llmj.benchmarks;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.C4Config;
import dev.llmj.data.pipeline.ExactDedupConfig;
import dev.llmj.data.pipeline.GopherQualityConfig;
import dev.llmj.data.pipeline.GopherRepetitionConfig;
import dev.llmj.data.pipeline.LanguageConfig;
import dev.llmj.data.pipeline.MinHashConfig;
import dev.llmj.data.pipeline.NormalizeConfig;
import dev.llmj.data.pipeline.PiiConfig;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.Step;
import dev.llmj.data.pipeline.Steps;
import dev.llmj.data.pipeline.ToxicConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of each pipeline step alone on the SpamAssassin mail corpus held in memory (all six
 * files). Each invocation processes the whole corpus once, so MB/s = corpus MB / reported seconds;
 * the setup prints the corpus size and the teardown prints peak heap.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar PipelineStep -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class PipelineStepBenchmark {
  @Param({"normalize", "exact_dedup", "minhash_dedup", "gopher_repetition", "gopher_quality", "c4", "pii", "language", "toxic"})
  public String step;

  private List<Path> files;
  private List<Document> docs;
  private double megabytes;

  @Setup(Level.Trial)
  public void load() throws IOException {
    files = MailCorpus.files();
    docs = new ArrayList<>();
    try (CorpusReader r = Corpus.read(files, ReaderOptions.defaults())) {
      r.forEachRemaining(docs::add);
      megabytes = r.bytesRead() / 1e6;
    }
    System.out.printf("%ncorpus: %d documents, %.1f MB of JSONL%n", docs.size(), megabytes);
  }

  @TearDown(Level.Trial)
  public void peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
    }
    System.out.printf("%npeak heap: %.0f MB (includes the %.1f MB corpus held in memory)%n", peak / 1e6, megabytes);
  }

  static Step make(String name) {
    return switch (name) {
      case "normalize" -> Steps.normalize(NormalizeConfig.defaults());
      case "exact_dedup" -> Steps.exactDedup(ExactDedupConfig.defaults());
      case "minhash_dedup" -> Steps.minHashDedup(MinHashConfig.defaults());
      case "gopher_repetition" -> Steps.gopherRepetition(GopherRepetitionConfig.defaults());
      case "gopher_quality" -> Steps.gopherQuality(GopherQualityConfig.defaults());
      case "c4" -> Steps.c4(C4Config.defaults());
      case "pii" -> Steps.pii(PiiConfig.defaults());
      case "language" -> Steps.language(LanguageConfig.defaults());
      case "toxic" -> Steps.toxic(ToxicConfig.defaults());
      default -> throw new IllegalArgumentException(name);
    };
  }

  static Supplier<CloseableIterator<Document>> memory(List<Document> docs) {
    return () -> CloseableIterator.of(docs);
  }

  /** One step alone over the in-memory corpus (every document reaches it). */
  @Benchmark
  public long stepAlone() {
    return Pipeline.builder().step(make(step)).build()
        .run(memory(docs), DocumentSink.discard(), null).documentsWritten();
  }
}
