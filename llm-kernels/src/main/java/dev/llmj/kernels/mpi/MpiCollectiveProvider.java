package dev.llmj.kernels.mpi;

import dev.llmj.core.dist.Collective;
import dev.llmj.core.dist.Collectives;
import dev.llmj.core.spi.CollectiveProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/** Registers the Open MPI binding with {@link dev.llmj.core.dist.Collectives}. */
public final class MpiCollectiveProvider implements CollectiveProvider {

  @Override
  public String name() {
    return "mpi";
  }

  @Override
  public Collective join() {
    return MpiCollective.join();
  }

  /**
   * Why {@code mpirun} jobs cannot run from here, or empty when they can: {@code mpirun} is on the PATH and
   * this build carries the binding. Multi-process tests skip with this reason.
   */
  public static Optional<String> unavailableReason() {
    String path = System.getenv("PATH");
    boolean mpirun = path != null && Arrays.stream(path.split(File.pathSeparator))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "mpirun")));
    if (!mpirun) {
      return Optional.of("mpirun is not on the PATH; install Open MPI (" + Collectives.INSTALL + ")");
    }
    String lib = Loader.getPlatform() + "/" + System.mapLibraryName("jni" + LlmjMpi.class.getSimpleName());
    if (LlmjMpi.class.getResource(lib) == null) {
      return Optional.of("this build has no Open MPI binding (" + lib + "): Open MPI's headers were missing when it"
          + " was built; install Open MPI (" + Collectives.INSTALL + ") and rebuild");
    }
    return Optional.empty();
  }
}
