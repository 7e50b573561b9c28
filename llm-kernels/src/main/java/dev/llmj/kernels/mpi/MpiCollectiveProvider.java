package dev.llmj.kernels.mpi;

import dev.llmj.core.dist.Collective;
import dev.llmj.core.spi.CollectiveProvider;

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
}
