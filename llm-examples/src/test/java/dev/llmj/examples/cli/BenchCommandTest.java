package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.ModelConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code llm bench train} on a tiny model: the last stdout line has the documented form, tokens/s
 * agrees with ms/step and the batch, and MFU is tokens/s times the FLOPs per token (6N plus the
 * attention term, worked out here from the parameter count) over the given peak.
 */
class BenchCommandTest {

  private static final Pattern LINE =
      Pattern.compile("tokens/s=(\\d+) ms/step=([0-9.]+) mfu=([0-9.]+) peak_rss_gb=([0-9.]+)");

  @Test
  void trainPrintsThroughputAndMfu() {
    Object[] r = TokenizerCommandsTest.run("bench", "train", "--layers", "2", "--heads", "2", "--d-model", "32",
        "--seq-len", "16", "--batch", "4", "--vocab", "64", "--steps", "5", "--warmup", "2", "--threads", "1",
        "--peak-gflops", "10");
    assertEquals(0, r[0], (String) r[2]);
    String[] lines = ((String) r[1]).strip().split("\n");
    Matcher m = LINE.matcher(lines[lines.length - 1]);
    assertTrue(m.matches(), "last line: " + lines[lines.length - 1]);
    double tokensPerSecond = Double.parseDouble(m.group(1)), ms = Double.parseDouble(m.group(2));
    double mfu = Double.parseDouble(m.group(3));
    assertTrue(ms > 0.05 && tokensPerSecond > 0, lines[lines.length - 1]);
    // ms/step is printed to 0.1 ms and tokens/s to 1: tokens/s must lie in the range those roundings allow
    double low = 4 * 16 / ((ms + 0.05) / 1e3) - 0.5, high = 4 * 16 / ((ms - 0.05) / 1e3) + 0.5;
    assertTrue(tokensPerSecond >= low && tokensPerSecond <= high,
        "tokens/s = B*T / step time: " + tokensPerSecond + " not in [" + low + ", " + high + "]");
    // FLOPs per token of a forward and backward pass, 6N + 12 L T C (PaLM, appendix B; nanoGPT's
    // estimate_mfu), worked out by hand for GPT-2 with V=64, T=16, L=2, C=32, tied embeddings:
    // tokens 64*32 = 2,048 + positions 16*32 = 512; per block: two LayerNorms 2*64 = 128, q/k/v
    // 3*(32*32 + 32) = 3,168, output 32*32 + 32 = 1,056, MLP up 32*128 + 128 = 4,224, down 128*32 + 32
    // = 4,128, so 12,704; two blocks 25,408; final LayerNorm 64: N = 28,032. 6N = 168,192 and
    // 12*2*16*32 = 12,288: 180,480 FLOPs per token.
    assertEquals(28_032L, ModelConfig.of(Architecture.GPT2, 64, 16, 2, 2, 32).parameterCount());
    double flopsPerToken = 180_480;
    assertEquals(tokensPerSecond * flopsPerToken / 10e9, mfu, 1e-4 + 1e-3 * mfu, "mfu = tokens/s * FLOPs/token / peak");
    assertTrue(((String) r[2]).contains("kernels: attention="), (String) r[2]);
    assertTrue(Double.parseDouble(m.group(4)) > 0.05, "peak RSS of a JVM with ND4J loaded: " + m.group(4) + " GB");
  }

  @Test
  void presetAndRecomputeRun() {
    Object[] r = TokenizerCommandsTest.run("bench", "train", "--preset", "llama-tiny", "--seq-len", "16", "--batch",
        "2", "--steps", "3", "--warmup", "1", "--threads", "1", "--peak-gflops", "10", "--recompute");
    assertEquals(0, r[0], (String) r[2]);
    String[] lines = ((String) r[1]).strip().split("\n");
    assertTrue(LINE.matcher(lines[lines.length - 1]).matches(), "last line: " + lines[lines.length - 1]);
    assertTrue(((String) r[2]).contains("model: llama-tiny 2 layers, 4 heads (2 key/value)"), (String) r[2]);
    assertTrue(((String) r[2]).contains("recompute"), (String) r[2]);
  }

  @Test
  void stepsMustExceedWarmup() {
    Object[] r = TokenizerCommandsTest.run("bench", "train", "--steps", "2", "--warmup", "2");
    assertEquals(Llm.EXIT_USAGE, r[0]);
    assertTrue(((String) r[2]).contains("steps 2 must exceed warmup 2"), (String) r[2]);
  }
}
