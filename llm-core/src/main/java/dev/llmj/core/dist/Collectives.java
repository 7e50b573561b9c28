package dev.llmj.core.dist;

import dev.llmj.core.spi.CollectiveProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The job this process belongs to. A launcher that starts several ranks says so in the environment
 * ({@code mpirun}: {@code OMPI_COMM_WORLD_SIZE}; {@code srun}: {@code PMI_SIZE} or
 * {@code SLURM_STEP_NUM_TASKS}); then {@link #world()} joins it through the {@link CollectiveProvider}
 * on the class path (llm-kernels' Open MPI binding). Started any other way, or as a job of one rank,
 * the process is {@link Collective#single()} and no native library is loaded.
 *
 * <pre>{@code
 * int status = 1;
 * try {
 *   lm.trainer(cfg).train(data).collective(Collectives.world()).build().run();
 *   status = 0;
 * } finally {
 *   Collectives.exit(status);                  // leaves the job, or ends every rank after a failure
 * }
 * }</pre>
 */
public final class Collectives {

  /** How to get the library a multi-rank start needs, for error messages and the README. */
  public static final String INSTALL = "apt-get install openmpi-bin libopenmpi-dev";

  private static Collective world;

  private Collectives() {}

  /** The job this process was launched in, joined on the first call; {@link Collective#single()} for one rank. */
  public static synchronized Collective world() {
    if (world == null) {
      int size = launchedSize(System.getenv());
      world = size > 1 ? join(size) : Collective.single();
    }
    return world;
  }

  /** Whether a launcher started this process as one of several ranks (the job is then joined by {@link #world()}). */
  public static boolean launchedAsRank() {
    return launchedSize(System.getenv()) > 1;
  }

  /**
   * Ends this process's part of the job and the process: after success ({@code status == 0}) it leaves
   * the job and exits; after a failure it ends every rank with {@code status}, so that no rank waits
   * for this one forever. Without a joined multi-rank job it is {@code System.exit(status)}.
   */
  public static void exit(int status) {
    Collective w;
    synchronized (Collectives.class) {
      w = world;
    }
    if (w != null && w.size() > 1) {
      if (status == 0) {
        w.finish();
      } else {
        System.err.println(label(w) + "failed with status " + status + "; ending all " + w.size() + " ranks");
        System.err.flush();
        w.abort(status);
      }
    }
    System.exit(status);
  }

  /** {@code "rank 1/4: "} in a joined multi-rank job, else empty: a prefix for messages a rank prints. */
  public static String rankLabel() {
    Collective w;
    synchronized (Collectives.class) {
      w = world;
    }
    return w == null || w.size() == 1 ? "" : label(w);
  }

  private static String label(Collective w) {
    return "rank " + w.rank() + "/" + w.size() + ": ";
  }

  /** The job size a launcher announced in {@code env}, 1 when none did. */
  static int launchedSize(Map<String, String> env) {
    for (String key : List.of("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS")) {
      String v = env.get(key);
      if (v == null || (key.startsWith("SLURM") && env.get("SLURM_PROCID") == null)) {
        continue;
      }
      try {
        int n = Integer.parseInt(v.trim());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalStateException("environment variable " + key + "=" + v + " is not a job size >= 1;"
          + " start the program with mpirun or srun, or unset it");
    }
    return 1;
  }

  private static Collective join(int size) {
    List<CollectiveProvider> providers = new ArrayList<>();
    ServiceLoader.load(CollectiveProvider.class, Collectives.class.getClassLoader()).forEach(providers::add);
    if (providers.isEmpty()) {
      throw new IllegalStateException("started as one of " + size + " ranks, but no CollectiveProvider is on the"
          + " class path; add llm-kernels (its Open MPI binding) to the class path");
    }
    Collective c = providers.get(0).join();
    if (c.size() != size) {
      throw new IllegalStateException("the launcher announced " + size + " ranks but " + providers.get(0).name()
          + " joined a job of " + c.size() + "; start every rank with the same launcher");
    }
    return c;
  }
}
