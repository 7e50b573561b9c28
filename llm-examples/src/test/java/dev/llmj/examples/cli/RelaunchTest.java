package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line the tool starts itself again with. */
class RelaunchTest {
  private static final List<String> CMD = List.of("/usr/bin/java", "--add-modules", "jdk.incubator.vector", "-jar", "llm.jar", "prepare");

  @Test
  void addsTheThroughputCollectorAfterTheExecutable() {
    assertEquals(List.of("/usr/bin/java", "-XX:+UseParallelGC", "--add-modules", "jdk.incubator.vector", "-jar", "llm.jar", "prepare"),
        Llm.withThroughputCollector(CMD, List.of("-Xmx2g", "-XX:+UseGCOverheadLimit", "-XX:+UseNUMA")));
  }

  @Test
  void keepsTheCollectorTheUserChose() {
    for (String gc : List.of("-XX:+UseG1GC", "-XX:+UseSerialGC", "-XX:+UseZGC", "-XX:+UseParallelGC", "-XX:-UseG1GC")) {
      assertEquals(CMD, Llm.withThroughputCollector(CMD, List.of("-Xmx2g", gc)), gc);
    }
  }
}
