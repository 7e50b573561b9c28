package dev.llmj.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Encoding the SOTU corpus on one thread with three o200k-shaped tokenizers over one vocabulary
 * (llmj's tiktoken loader on JTokkit's o200k_base ranks, JTokkit's o200k_base, Hugging Face's
 * tokenizers through DJL), timed by the thread's CPU time, interleaved round by round so that load
 * from other jobs falls on all of them alike. Prints MB per CPU second and the ratios. llmj keeps
 * a cache of piece encodings; "llmj cold" encodes with a freshly loaded tokenizer each round, so
 * its cache starts empty; "pipeline" is the same file through {@link Tokenizers#load}, the general
 * tokenizer.json pipeline. Also prints the CPU and wall time of loading the file both ways.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.llmj.benchmarks.TokenizerCpuTime [rounds]
 * </pre>
 */
public final class TokenizerCpuTime {
  private TokenizerCpuTime() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    if (rounds < 2) {
      throw new IllegalArgumentException("rounds=" + rounds + " leaves no round after the warm-up one; pass 2 or more");
    }
    List<String> docs = TokenizerBenchmark.sotu();
    double mb = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum() / 1e6;
    Path dir = Files.createTempDirectory("o200k");
    Path ranks = TokenizerBenchmark.o200kRanks(dir);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long l0 = mx.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    BpeTokenizer llmj = Tokenizers.loadTiktoken(ranks, "o200k_base");
    System.out.printf(Locale.ROOT, "load o200k_base.tiktoken (loadTiktoken): %.2f s CPU, %.2f s wall%n",
        (mx.getCurrentThreadCpuTime() - l0) / 1e9, (System.nanoTime() - w0) / 1e9);
    l0 = mx.getCurrentThreadCpuTime();
    w0 = System.nanoTime();
    Tokenizer pipeline = Tokenizers.load(ranks);
    System.out.printf(Locale.ROOT, "load o200k_base.tiktoken (load, as a pipeline): %.2f s CPU, %.2f s wall%n",
        (mx.getCurrentThreadCpuTime() - l0) / 1e9, (System.nanoTime() - w0) / 1e9);
    Encoding jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    try (HuggingFaceTokenizer hf = TokenizerBenchmark.huggingFace(llmj, dir)) {
      String[] names = {"llmj", "llmj cold", "JTokkit", "HF/DJL", "pipeline"};
      BpeTokenizer[] fresh = new BpeTokenizer[1];
      List<Consumer<String>> encoders = List.of(llmj::encode, d -> fresh[0].encode(d), jtokkit::encodeOrdinary,
          d -> hf.encode(d).getIds(), pipeline::encode);
      double[][] cpu = new double[names.length][rounds];
      for (int r = 0; r < rounds; r++) {
        fresh[0] = Tokenizers.loadTiktoken(ranks, "o200k_base");
        for (int k = 0; k < names.length; k++) {
          long t0 = mx.getCurrentThreadCpuTime();
          docs.forEach(encoders.get(k));
          cpu[k][r] = (mx.getCurrentThreadCpuTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "round %d %-9s %.3f s CPU  %.1f MB/s%n", r, names[k], cpu[k][r], mb / cpu[k][r]);
        }
      }
      double[] median = new double[names.length];
      for (int k = 0; k < names.length; k++) {
        double[] after = Arrays.copyOfRange(cpu[k], 1, rounds); // round 0 warms the JIT
        Arrays.sort(after);
        median[k] = after[after.length / 2];
        System.out.printf(Locale.ROOT, "%-9s median %.3f s CPU = %.1f MB per CPU second (best %.1f)%n",
            names[k], median[k], mb / median[k], mb / after[0]);
      }
      System.out.printf(Locale.ROOT, "llmj / JTokkit: %.2fx (cold cache %.2fx)   llmj / HF: %.2fx (cold cache %.2fx)"
          + "   (%.1f MB, %d rounds)%n", median[2] / median[0], median[2] / median[1], median[3] / median[0],
          median[3] / median[1], mb, rounds);
      System.out.printf(Locale.ROOT, "pipeline / JTokkit: %.2fx%n", median[2] / median[4]);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Path big = TokenizerBenchmark.vocab250k(Files.createTempDirectory("vocab250k"));
    for (int i = 0; i < 3; i++) {
      long before = TokenizerBenchmark.usedAfterGc();
      long p1 = os.getProcessCpuTime();
      long l1 = mx.getCurrentThreadCpuTime();
      long w1 = System.nanoTime();
      BpeTokenizer tok = Tokenizers.loadTiktoken(big, "o200k_base");
      double cpuS = (mx.getCurrentThreadCpuTime() - l1) / 1e9;
      double processS = (os.getProcessCpuTime() - p1) / 1e9;
      double wallS = (System.nanoTime() - w1) / 1e9;
      long after = TokenizerBenchmark.usedAfterGc();
      System.out.printf(Locale.ROOT, "load 250k-id rank file %d: %.2f s CPU (%.2f s with GC and JIT threads), "
          + "%.2f s wall, %s holds %.0f MB of heap%n", i, cpuS, processS, wallS, tok, (after - before) / 1e6);
    }
  }
}
