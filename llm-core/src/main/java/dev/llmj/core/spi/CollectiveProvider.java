package dev.llmj.core.spi;

import dev.llmj.core.dist.Collective;

/**
 * A communication library that joins the ranks of a multi-process job, found with
 * {@link java.util.ServiceLoader}; llm-kernels registers its Open MPI binding through
 * {@code META-INF/services/dev.llmj.core.spi.CollectiveProvider}. Only
 * {@link dev.llmj.core.dist.Collectives#world()} calls it, once per process.
 */
public interface CollectiveProvider {

  /** A short name, e.g. {@code "mpi"}. */
  String name();

  /**
   * Joins the job this process was launched in.
   *
   * @throws IllegalStateException naming what is missing (the native library, the launcher) and the fix
   */
  Collective join();
}
