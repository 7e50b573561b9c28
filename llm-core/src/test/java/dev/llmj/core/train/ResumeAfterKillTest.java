package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training JVM with SIGKILL at a random moment after its first checkpoint, resumes it, and
 * requires the final parameters, Adam state, RNG state and per-step losses to equal those of an
 * uninterrupted run bit for bit (same thread count in both).
 */
class ResumeAfterKillTest {

  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());
  private static final long SLEEP_MS = 10;

  @Test
  void killedAndResumedRunMatchesUninterruptedRun(@TempDir Path tmp) throws Exception {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    Path straight = tmp.resolve("straight");
    Path killed = tmp.resolve("killed");
    Process reference = start(straight, tmp.resolve("straight.log"));
    Process victim = start(killed, tmp.resolve("killed.log"));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!hasCheckpoint(killed.resolve("checkpoints"))) {
      assertTrue(victim.isAlive(), "child ended before its first checkpoint: " + log(tmp.resolve("killed.log")));
      assertTrue(System.nanoTime() < deadline, "no checkpoint within 60 s");
      Thread.sleep(5);
    }
    // Anywhere from just after the first checkpoint to about the end of the run (60 steps of 10 ms sleep plus compute).
    long delay = new Random(SEED).nextInt((int) (ResumeMain.STEPS * SLEEP_MS * 2));
    Thread.sleep(delay);
    boolean finishedFirst = !victim.isAlive();
    victim.destroyForcibly().waitFor();
    System.out.println("killed after " + delay + " ms; checkpoints left: " + listing(killed.resolve("checkpoints"))
        + (finishedFirst ? " (it had already finished)" : ""));

    Process resumed = start(killed, tmp.resolve("resumed.log"));
    finish(resumed, tmp.resolve("resumed.log"));
    finish(reference, tmp.resolve("straight.log"));
    System.out.println("resumed run: " + log(tmp.resolve("resumed.log")).lines()
        .filter(l -> l.startsWith("done")).findFirst().orElse("?"));

    Checkpoint ca = Checkpoint.read(latest(straight));
    Checkpoint cb = Checkpoint.read(latest(killed));
    assertEquals(ResumeMain.STEPS, ca.trainerState().step());
    assertEquals(ResumeMain.STEPS, cb.trainerState().step());
    assertEquals(ca.model().keySet(), cb.model().keySet());
    int differing = 0;
    int total = 0;
    for (String name : ca.model().keySet()) {
      float[] pa = ca.model().get(name).data().asFloat();
      float[] pb = cb.model().get(name).data().asFloat();
      for (int i = 0; i < pa.length; i++) {
        differing += Float.floatToRawIntBits(pa[i]) != Float.floatToRawIntBits(pb[i]) ? 1 : 0;
      }
      total += pa.length;
    }
    System.out.println("parameters differing bitwise: " + differing + " of " + total);
    assertEquals(0, differing);
    assertArrayEquals(ca.optimizerState().get("updater_state").data().asFloat(),
        cb.optimizerState().get("updater_state").data().asFloat());
    assertEquals(ca.optimizerScalars(), cb.optimizerScalars());
    assertEquals(ca.trainerState().rngState(), cb.trainerState().rngState());
    assertEquals(ca.trainerState().dataPosition(), cb.trainerState().dataPosition());
    assertEquals(ca.trainerState().tokensSeen(), cb.trainerState().tokensSeen());

    // Each step is logged once, with the same loss, despite the repeated steps after the kill.
    List<String> la = losses(straight.resolve("metrics.jsonl"));
    List<String> lb = losses(killed.resolve("metrics.jsonl"));
    assertEquals(ResumeMain.STEPS, la.size());
    assertEquals(la, lb);
  }

  private static Path latest(Path runDir) throws IOException {
    return new CheckpointManager(runDir.resolve("checkpoints"), CheckpointManager.Retention.keepLast(2))
        .latest().orElseThrow().folder();
  }

  private static Process start(Path dir, Path log) throws IOException {
    Files.createDirectories(dir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        ResumeMain.class.getName(), dir.toString(), Long.toString(SLEEP_MS));
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private static void finish(Process p, Path log) throws Exception {
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "child did not finish: " + log(log));
    assertEquals(0, p.exitValue(), "child failed: " + log(log));
  }

  private static boolean hasCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("step-"));
    }
  }

  private static String listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
    }
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

  private static String log(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
