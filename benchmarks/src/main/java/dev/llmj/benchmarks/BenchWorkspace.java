package dev.llmj.benchmarks;

import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a timed call inside an ND4J workspace, as DL4J runs a layer's forward and backward in
 * training, so that its arrays reuse the memory of the previous call. Without one, every call maps
 * fresh native memory that only a garbage collection gives back: in a loop of attention calls the
 * process grew past a gigabyte and the calls became twice as slow (measured at T=1024). The
 * workspace learns its size on the first call. Results must not be read after the call.
 */
final class BenchWorkspace {

  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
      .policyLearning(LearningPolicy.FIRST_LOOP).build();

  private BenchWorkspace() {}

  static <T> T run(String id, Supplier<T> call) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, id)) {
      return call.get();
    }
  }
}
