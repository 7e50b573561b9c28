package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.CheckpointManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The README's exact-resume claim on the models users train: a tiny GPT-2, and a tiny Llama with
 * grouped-query attention, each trained by {@link PretrainChild}
 * as {@code llm pretrain} trains it (native attention and BLAS kernels, dropout, shuffled packed shards,
 * gradient accumulation, clipping, evaluation, checkpoints) is SIGKILLed at three seeded points, inside a
 * step, while a checkpoint is being written, and between steps, and resumed each time; it must end with
 * the same parameters, Adam state, RNG state, data position and per-step losses, bit for bit, as an
 * uninterrupted run. Two uninterrupted runs, started at the same time so that they compete for the cores,
 * must agree bit for bit too. Every kill must happen: a child that exits on its own fails the test.
 */
class PretrainResumeAfterKillTest {

  private static final long SEED = Long.getLong("tests.seed", 41L);
  private static final List<String> CHECKPOINT_FILES = List.of("config.json", "model.safetensors",
      "optimizer.safetensors", "optimizer.json", "trainer_state.json", "COMPLETE");

  @ParameterizedTest
  @ValueSource(strings = {"gpt2", "llama"})
  void killedAndResumedRunsEqualUninterruptedRunsBitForBit(String arch, @TempDir Path tmp) throws Exception {
    System.out.println(arch + ", seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    Path shards = TinyCorpus.write(tmp.resolve("shards"));
    Random r = new Random(SEED);
    int every = PretrainChild.CHECKPOINT_EVERY;
    // Each point lies after the checkpoint the previous kill leaves, so each one is reached.
    String inStep = List.of("backward", "update", "applied").get(r.nextInt(3)) + ":" + (every + r.nextInt(every));
    String inCheckpoint = "checkpoint:" + 2 * every + ":" + CHECKPOINT_FILES.get(r.nextInt(CHECKPOINT_FILES.size()));
    String betweenSteps = "start:" + (2 * every + r.nextInt(PretrainChild.STEPS - 2 * every));
    System.out.println("kill points: " + inStep + ", " + inCheckpoint + ", " + betweenSteps);

    Process a = start(shards, tmp.resolve("a"), "none", arch);
    Process b = start(shards, tmp.resolve("b"), "none", arch);
    Path killed = tmp.resolve("killed");
    killAt(shards, killed, inStep, every, arch);
    killAt(shards, killed, inCheckpoint, every, arch);
    killAt(shards, killed, betweenSteps, 2 * every, arch);
    Process last = start(shards, killed, "none", arch);
    finish(last, killed);
    finish(a, tmp.resolve("a"));
    finish(b, tmp.resolve("b"));
    assertTrue(log(killed).contains("resumed_from=" + 2 * every), log(killed));

    assertSameRun(tmp.resolve("a"), tmp.resolve("b"), "two uninterrupted runs");
    assertSameRun(tmp.resolve("a"), killed, "uninterrupted run and the run killed at " + inStep + ", "
        + inCheckpoint + ", " + betweenSteps);
  }

  /** Runs a child until it kills itself at {@code point}; then its newest complete checkpoint must be {@code expected}. */
  private static void killAt(Path shards, Path run, String point, long expected, String arch) throws Exception {
    Process p = start(shards, run, point, arch);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not end: " + log(run));
    String out = log(run);
    assertEquals(PretrainChild.KILLED, p.exitValue(), "the child was to be killed at " + point
        + " but exited with status " + p.exitValue() + ": " + out);
    assertTrue(!out.contains("done steps="), "the child finished instead of being killed at " + point + ": " + out);
    long latest = new CheckpointManager(run.resolve("checkpoints"), PretrainChild.config().retention()).latest()
        .orElseThrow().step();
    System.out.println("killed at " + point + "; newest complete checkpoint: step " + latest);
    assertEquals(expected, latest, "newest complete checkpoint after the kill at " + point);
  }

  private static Process start(Path shards, Path run, String point, String arch) throws IOException {
    Files.createDirectories(run);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--add-modules", "jdk.incubator.vector"));
    if (point.startsWith("checkpoint:")) {
      cmd.add("-Dllmj.test.haltInCheckpoint=" + point.substring("checkpoint:".length()));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PretrainChild.class.getName(),
        shards.toString(), run.toString(), point, arch));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true).redirectOutput(run.resolve("child.log").toFile());
    return pb.start();
  }

  private static void finish(Process p, Path run) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish: " + log(run));
    assertEquals(0, p.exitValue(), "child failed: " + log(run));
  }

  private static void assertSameRun(Path x, Path y, String what) throws IOException {
    Checkpoint cx = Checkpoint.read(latest(x));
    Checkpoint cy = Checkpoint.read(latest(y));
    assertEquals(PretrainChild.STEPS, cx.trainerState().step(), what);
    assertEquals(PretrainChild.STEPS, cy.trainerState().step(), what);
    long[] model = differing(cx.model(), cy.model(), what + " parameters");
    long[] adam = differing(cx.optimizerState(), cy.optimizerState(), what + " optimizer state");
    System.out.printf("%s: %d of %d parameters and %d of %d optimizer values differ in their bits%n", what,
        model[0], model[1], adam[0], adam[1]);
    assertEquals(0, model[0], what + ": parameters differing bitwise");
    assertEquals(0, adam[0], what + ": optimizer values differing bitwise");
    assertEquals(cx.optimizerScalars(), cy.optimizerScalars(), what);
    assertEquals(cx.trainerState().rngState(), cy.trainerState().rngState(), what + ": RNG state");
    assertEquals(cx.trainerState().dataPosition(), cy.trainerState().dataPosition(), what + ": data position");
    assertEquals(cx.trainerState().tokensSeen(), cy.trainerState().tokensSeen(), what + ": tokens");
    List<String> lx = losses(x.resolve("metrics.jsonl"));
    assertEquals(PretrainChild.STEPS, lx.size(), what + ": one loss line per step in " + lx);
    assertEquals(lx, losses(y.resolve("metrics.jsonl")), what + ": per-step losses");
  }

  /** {differing elements, total elements}; the two maps must hold the same names and shapes. */
  private static long[] differing(Map<String, INDArray> x, Map<String, INDArray> y, String what) {
    assertEquals(x.keySet(), y.keySet(), what);
    long diff = 0, total = 0;
    for (String name : x.keySet()) {
      INDArray a = x.get(name), b = y.get(name);
      assertEquals(a.dataType(), b.dataType(), what + " " + name);
      assertEquals(java.util.Arrays.toString(a.shape()), java.util.Arrays.toString(b.shape()), what + " " + name);
      double[] da = a.dup().data().asDouble(), db = b.dup().data().asDouble();
      for (int i = 0; i < da.length; i++) {
        diff += Double.doubleToRawLongBits(da[i]) != Double.doubleToRawLongBits(db[i]) ? 1 : 0;
      }
      total += da.length;
    }
    return new long[] {diff, total};
  }

  private static Path latest(Path run) throws IOException {
    return new CheckpointManager(run.resolve("checkpoints"), PretrainChild.config().retention()).latest()
        .orElseThrow().folder();
  }

  private static List<String> losses(Path metrics) throws IOException {
    List<String> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String l : Files.readAllLines(metrics)) {
      JsonNode n = json.readTree(l);
      if (n.has("loss")) {
        out.add(n.get("step").asText() + ":" + n.get("loss").asText());
      }
    }
    return out;
  }

  private static String log(Path run) {
    try {
      return Files.readString(run.resolve("child.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
