package dev.llmj.benchmarks;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Greedy decoding of 48 tokens after a 16-token prompt on the "small" preset (4 layers, C=256,
 * V=4096): with the key/value cache ({@link LanguageModel#generate}) and without it (the whole
 * sequence through the graph for every new token). The ratio of the two scores is what the cache buys.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Decoding -f 1 -wi 1 -i 3}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class DecodingBenchmark {

  @Param({"cached", "uncached"})
  public String mode;

  private static final int PROMPT = 16, NEW_TOKENS = 48;
  private LanguageModel lm;
  private int[] prompt;

  @Setup(Level.Trial)
  public void setUp() {
    ModelConfig c = ModelConfig.preset("small");
    lm = LanguageModel.create(c, 1);
    Random rnd = new Random(1);
    prompt = new int[PROMPT];
    for (int i = 0; i < PROMPT; i++) {
      prompt[i] = rnd.nextInt(c.vocabSize());
    }
  }

  @Benchmark
  public int[] greedy48() {
    if (mode.equals("cached")) {
      return lm.generate(prompt, GenerationConfig.greedy(NEW_TOKENS), null);
    }
    int[] seq = Arrays.copyOf(prompt, PROMPT + NEW_TOKENS);
    for (int i = PROMPT; i < seq.length; i++) {
      float[] logits = lm.nextLogits(Arrays.copyOf(seq, i));
      int best = 0;
      for (int v = 1; v < logits.length; v++) {
        if (logits[v] > logits[best]) {
          best = v;
        }
      }
      seq[i] = best;
    }
    return seq;
  }
}
