package dev.llmj.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tokenizer throughput on the embedded State of the Union corpus (233 documents, 10.7 MB):
 * llmj's GPT-2 tokenizer against JTokkit's r50k_base (same ids) on one thread, llmj's streaming
 * corpus encoder on 1 and 2 threads, and BPE training to 8192 ids. One op is the whole corpus;
 * divide its size by the time for bytes/s.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Tokenizer -f 1 -wi 3 -i 5
 * </pre>
 */
public class TokenizerBenchmark {

  static List<String> sotu() {
    List<String> out = new ArrayList<>();
    try (InputStream raw = TokenizerBenchmark.class.getResourceAsStream("/dev/llmj/data/corpus/sotu.jsonl.gz")) {
      BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      ObjectMapper json = new ObjectMapper();
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = json.readTree(line);
        out.add(n.get("text").asText());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the embedded SOTU corpus", e);
    }
    return out;
  }

  @State(Scope.Benchmark)
  public static class Corpus {
    List<String> docs;
    BpeTokenizer llmj;
    Encoding jtokkit;

    @Setup
    public void setup() {
      docs = sotu();
      llmj = Tokenizers.gpt2();
      jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
      long bytes = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
      System.out.printf("%nSOTU: %d docs, %d UTF-8 bytes%n", docs.size(), bytes);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeLlmjOneThread(Corpus c, Blackhole bh) {
    for (String d : c.docs) {
      bh.consume(c.llmj.encode(d));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeJtokkitOneThread(Corpus c, Blackhole bh) {
    for (String d : c.docs) {
      bh.consume(c.jtokkit.encodeOrdinary(d));
    }
  }

  @State(Scope.Benchmark)
  public static class Threads {
    @Param({"1", "2"})
    int threads;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeLlmjCorpus(Corpus c, Threads t, Blackhole bh) {
    c.llmj.encodeAll(c.docs.iterator(), t.threads, bh::consume);
  }

  /** Training is one long run, so measured single-shot; heap peak printed at the end of each fork. */
  @State(Scope.Benchmark)
  public static class Training {
    List<String> docs;

    @Setup(Level.Trial)
    public void setup() {
      docs = sotu();
      System.gc();
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
    }

    @TearDown(Level.Trial)
    public void report() {
      long peak = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          peak += p.getPeakUsage().getUsed();
        }
      }
      System.out.printf("%nBPE training heap peak (sum of heap pools, corpus strings included): %.0f MB%n", peak / 1e6);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public BpeTokenizer trainSotu8192(Training t) {
    return new BpeTrainer(BpeTrainer.Config.of(8192)).train(t.docs.iterator());
  }
}
