package dev.llmj.core.dist;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The processes (ranks) of one data-parallel job and the few collective operations the trainer needs.
 * Every rank calls the same operations in the same order; each call returns when all ranks made it.
 * {@link #single()} is the one-process job, where every operation is a no-op, and the trainer's
 * default; {@link Collectives#world()} is the job this process was launched in ({@code mpirun},
 * {@code srun}).
 *
 * <pre>{@code
 * Collective world = Collectives.world();       // single() unless started as one of several ranks
 * world.broadcast(graph.params(), 0);            // identical start: rank 0's parameters everywhere
 * world.allReduceSum(graph.getFlattenedGradients());
 * }</pre>
 */
public interface Collective {

  /** This process's index in the job, {@code 0..size()-1}. */
  int rank();

  /** The number of processes in the job. */
  int size();

  /** A short name for logs, e.g. {@code "single"} or {@code "mpi"}. */
  String name();

  /**
   * Replaces {@code array} on every rank by the element-wise sum over all ranks. The array must be a
   * FLOAT or DOUBLE array whose elements are contiguous in memory (such as a flat gradient view).
   */
  void allReduceSum(INDArray array);

  /** Replaces {@code values} on every rank by the element-wise sum over all ranks (small counters). */
  void allReduceSum(double[] values);

  /** Copies rank {@code root}'s {@code array} into every rank's array of the same type and length. */
  void broadcast(INDArray array, int root);

  /** Rank {@code root}'s {@code bytes} on every rank; other ranks' arguments are ignored. */
  byte[] broadcast(byte[] bytes, int root);

  /** Returns when every rank has called it. */
  void barrier();

  /** Ends every process of the job with {@code status}, without waiting for them; does not return. */
  void abort(int status);

  /** Leaves the job after a successful run; no other operation may follow. */
  void finish();

  /** The one-process job: every operation leaves its arguments as they are. */
  static Collective single() {
    return SingleProcess.INSTANCE;
  }
}
