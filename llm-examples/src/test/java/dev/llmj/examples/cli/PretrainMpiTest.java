package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.io.Checkpoint;
import dev.llmj.kernels.mpi.MpiCollectiveProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's form, {@code mpirun -np 2 java ... llm pretrain --config run.json}, through the tool's own
 * {@code main} (started without the Vector API option, which it must not restart itself for under mpirun):
 * one job of two ranks, one report, one metrics line per step, checkpoints that record the job size, and a
 * resume with another number of ranks refused on every rank. Skipped, with the reason, without Open MPI.
 */
class PretrainMpiTest {

  @Test
  void twoRanksTrainFromRunJsonAndResumeOnlyAsTwo(@TempDir Path dir) throws Exception {
    Optional<String> missing = MpiCollectiveProvider.unavailableReason();
    Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElseThrow() + "; the mpirun test is skipped");
    Path runJson = PretrainCommandTest.writeRun(dir);
    Path run = dir.resolve("run");

    String[] first = mpirun(dir.resolve("first.log"), 2, "pretrain", "--config", runJson.toString());
    assertEquals("0", first[0], first[1]);
    assertEquals(1, first[1].lines().filter(l -> l.startsWith("steps=6 ")).count(), "one report: " + first[1]);
    assertEquals(6, PretrainCommandTest.stepLines(run), "rank 0 alone writes metrics.jsonl");
    Checkpoint c = Checkpoint.read(run.resolve("checkpoints").resolve("step-00000006"));
    assertEquals(2, c.trainerState().extra().path("world_size").asInt(), c.trainerState().extra().toString());

    String[] other = mpirun(dir.resolve("other.log"), 3, "pretrain", "--resume", run.toString(), "--set", "max_steps=9");
    assertNotEquals("0", other[0], other[1]);
    assertTrue(other[1].contains("resume with mpirun -np 2"), other[1]);
    assertEquals(6, PretrainCommandTest.stepLines(run), "nothing written by the refused resume");
  }

  /** {exit status, output} of {@code mpirun -np ranks java -cp ... Llm args}; the output also goes to {@code log}. */
  private static String[] mpirun(Path log, int ranks, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of("mpirun", "-np", Integer.toString(ranks), "--oversubscribe",
        "--bind-to", "none", java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Llm.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
    pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    // Containers often forbid the cross-process reads (CMA) of Open MPI's shared-memory transport; copy instead.
    pb.environment().put("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    Process p = pb.start();
    boolean ended = p.waitFor(180, TimeUnit.SECONDS);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    assertTrue(ended, "mpirun did not end within 180 s: " + out);
    return new String[] {Integer.toString(p.exitValue()), out};
  }
}
