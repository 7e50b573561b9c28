package dev.llmj.kernels;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.dist.Collectives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process started as one of several ranks where the Open MPI binding cannot load (here: a JavaCPP platform
 * with no library, as in a jar built without Open MPI's headers) stops at once with the install command,
 * before touching its data. Needs no Open MPI, so it runs everywhere.
 */
class MpiMissingTest {

  @Test
  void aMultiRankStartWithoutTheBindingFailsWithTheInstallCommand(@TempDir Path tmp) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-Dorg.bytedeco.javacpp.platform=linux-nowhere",
        "-cp", System.getProperty("java.class.path"), DataParallelChild.class.getName(),
        tmp.resolve("no-shards").toString(), tmp.resolve("run").toString(), "1"));
    pb.environment().put("OMPI_COMM_WORLD_SIZE", "2");
    pb.environment().put("OMPI_COMM_WORLD_RANK", "0");
    Path log = tmp.resolve("job.log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(ended, "the process did not end: " + out);
    System.out.println("exit status " + p.exitValue() + ": " + out.lines().filter(l -> l.contains("Open MPI"))
        .findFirst().orElse(out));
    assertNotEquals(0, p.exitValue(), out);
    assertTrue(out.contains(Collectives.INSTALL), "the message should give the install command: " + out);
    assertTrue(!out.contains("no-shards"), "it should stop before reading data: " + out);
  }
}
