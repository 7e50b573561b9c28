package dev.llmj.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * llmj's GPT-2 tokenizer against JTokkit's r50k_base (same ids) on one thread; an o200k-shaped
 * tokenizer (GPT-4o's ranks and split pattern, read by llmj's tiktoken loader from JTokkit's jar)
 * against JTokkit's o200k_base and against Hugging Face's tokenizers (through DJL, on a
 * {@code tokenizer.json} llmj writes for the same vocabulary); each document (one JSON line of the
 * corpus) is one call. Then llmj's streaming
 * corpus encoder on 1 and 2 threads; BPE training to 8192 ids; loading a 250k-id rank file. One
 * op is the whole corpus; divide its size by the time for bytes/s.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Tokenizer -f 1 -wi 3 -i 5
 * java -jar benchmarks/target/benchmarks.jar 'Tokenizer.*O200k' -f 1 -wi 3 -i 5
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

  /** The o200k_base rank file inside JTokkit's jar, copied to {@code dir} under its own name. */
  static Path o200kRanks(Path dir) throws IOException {
    Path ranks = dir.resolve("o200k_base.tiktoken");
    try (InputStream in = Encoding.class.getResourceAsStream("/com/knuddels/jtokkit/o200k_base.tiktoken")) {
      Files.copy(in, ranks);
    }
    return ranks;
  }

  /** The three o200k-shaped tokenizers over one vocabulary; see {@link TokenizerCpuTime} too. */
  @State(Scope.Benchmark)
  public static class O200k {
    List<String> docs;
    BpeTokenizer llmj;
    Encoding jtokkit;
    HuggingFaceTokenizer hf;

    @Setup
    public void setup() throws IOException {
      docs = sotu();
      Path dir = Files.createTempDirectory("o200k");
      llmj = Tokenizers.loadTiktoken(o200kRanks(dir), "o200k_base");
      jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
      hf = huggingFace(llmj, dir);
    }

    @TearDown
    public void close() {
      hf.close();
    }
  }

  /** Hugging Face's tokenizers on the {@code tokenizer.json} llmj writes for {@code tok}. */
  static HuggingFaceTokenizer huggingFace(BpeTokenizer tok, Path dir) throws IOException {
    Path json = dir.resolve("tokenizer.json");
    tok.save(json);
    return HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false)
        .optPadding(false).optTruncation(false).build();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeO200kLlmj(O200k c, Blackhole bh) {
    for (String d : c.docs) {
      bh.consume(c.llmj.encode(d));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeO200kJtokkit(O200k c, Blackhole bh) {
    for (String d : c.docs) {
      bh.consume(c.jtokkit.encodeOrdinary(d));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void encodeO200kHuggingFace(O200k c, Blackhole bh) {
    for (String d : c.docs) {
      bh.consume(c.hf.encode(d).getIds());
    }
  }

  /**
   * Writes a Gemma-size rank file into {@code dir}: o200k_base's 199,998 tokens plus 50,000 made by
   * joining two of them, ranked after its special tokens (250,019 ids).
   */
  static Path vocab250k(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(o200kRanks(dir), StandardCharsets.US_ASCII);
    List<byte[]> tokens = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line : lines) {
      byte[] t = Base64.getDecoder().decode(line.substring(0, line.indexOf(' ')));
      tokens.add(t);
      seen.add(new String(t, StandardCharsets.ISO_8859_1));
    }
    StringBuilder sb = new StringBuilder(String.join("\n", lines)).append('\n');
    int rank = 200019;
    for (long i = 0; rank < 250019; i++) {
      byte[] a = tokens.get((int) ((i * 7919) % tokens.size()));
      byte[] b = tokens.get((int) ((i * 104729 + 13) % tokens.size()));
      byte[] ab = new byte[a.length + b.length];
      System.arraycopy(a, 0, ab, 0, a.length);
      System.arraycopy(b, 0, ab, a.length, b.length);
      if (seen.add(new String(ab, StandardCharsets.ISO_8859_1))) {
        sb.append(Base64.getEncoder().encodeToString(ab)).append(' ').append(rank++).append('\n');
      }
    }
    Path file = dir.resolve("vocab250k.tiktoken");
    Files.writeString(file, sb, StandardCharsets.US_ASCII);
    return file;
  }

  /** Used heap after full collections. */
  static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** A Gemma-size rank file ({@link #vocab250k}). */
  @State(Scope.Benchmark)
  public static class BigVocab {
    Path file;
    BpeTokenizer last;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      file = vocab250k(Files.createTempDirectory("vocab250k"));
    }

    /** Heap the last loaded tokenizer holds: used heap after a full GC with and without it. */
    @TearDown(Level.Trial)
    public void report() {
      long with = usedAfterGc();
      String what = String.valueOf(last);
      last = null;
      long without = usedAfterGc();
      System.out.printf("%n250k-id rank file: %s retains %.0f MB of heap%n", what, (with - without) / 1e6);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public BpeTokenizer loadVocab250k(BigVocab v) throws IOException {
    v.last = Tokenizers.loadTiktoken(v.file, "o200k_base");
    return v.last;
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
