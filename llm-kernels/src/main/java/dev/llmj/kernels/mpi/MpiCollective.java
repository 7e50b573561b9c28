package dev.llmj.kernels.mpi;

import dev.llmj.core.dist.Collective;
import dev.llmj.core.dist.Collectives;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Collective} over Open MPI's {@code MPI_COMM_WORLD}. Every operation is one blocking MPI call (or a
 * few, for arrays past 2^31 elements); a failed call, as when another rank has died, throws
 * {@link IllegalStateException} with MPI's reason, and the caller ends the job with {@link #abort}.
 */
final class MpiCollective implements Collective {

  private static final Logger LOG = LoggerFactory.getLogger(MpiCollective.class);
  /** MPI_THREAD_FUNNELED in mpi.h: calls from one thread only, which is how the trainer makes them. */
  private static final int THREAD_FUNNELED = 1;
  private static final int FLOAT = 0, DOUBLE = 1;

  private final int rank;
  private final int size;
  private boolean finished;

  private MpiCollective(int rank, int size) {
    this.rank = rank;
    this.size = size;
  }

  /**
   * Loads the binding and libmpi and joins the job ({@code MPI_Init_thread}).
   *
   * @throws IllegalStateException when this build has no binding or Open MPI is not installed, with the fix
   */
  static MpiCollective join() {
    try {
      Loader.load(LlmjMpi.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      String lib = System.mapLibraryName("jni" + LlmjMpi.class.getSimpleName());
      boolean built = LlmjMpi.class.getResource(Loader.getPlatform() + "/" + lib) != null;
      throw new IllegalStateException(built
          ? "started as one of several ranks, but Open MPI's libmpi cannot be loaded (" + e.getMessage()
              + "); install Open MPI: " + Collectives.INSTALL
          : "started as one of several ranks, but this llm-kernels was built without its Open MPI binding ("
              + lib + " is not in the jar); install Open MPI (" + Collectives.INSTALL + ") and rebuild", e);
    }
    int[] out = new int[1];
    check(LlmjMpi.llmj_mpi_init(out), "MPI_Init_thread", -1, -1);
    int provided = out[0];
    check(LlmjMpi.llmj_mpi_rank(out), "MPI_Comm_rank", -1, -1);
    int rank = out[0];
    check(LlmjMpi.llmj_mpi_size(out), "MPI_Comm_size", rank, -1);
    if (provided < THREAD_FUNNELED) {
      LOG.warn("Open MPI grants thread level {} only; the trainer calls it from one thread, which that allows", provided);
    }
    return new MpiCollective(rank, out[0]);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String name() {
    return "mpi";
  }

  @Override
  public void allReduceSum(INDArray array) {
    check(LlmjMpi.llmj_mpi_allreduce_sum(address(array), array.length(), type(array)), "MPI_Allreduce of "
        + array.length() + " " + array.dataType(), rank, size);
  }

  @Override
  public void allReduceSum(double[] values) {
    try (DoublePointer p = new DoublePointer(values)) {
      check(LlmjMpi.llmj_mpi_allreduce_sum(p.address(), values.length, DOUBLE), "MPI_Allreduce of "
          + values.length + " doubles", rank, size);
      p.get(values);
    }
  }

  @Override
  public void broadcast(INDArray array, int root) {
    requireRoot(root);
    type(array);
    check(LlmjMpi.llmj_mpi_bcast(address(array), array.length() * array.data().getElementSize(), root),
        "MPI_Bcast of " + array.length() + " " + array.dataType(), rank, size);
  }

  @Override
  public byte[] broadcast(byte[] bytes, int root) {
    requireRoot(root);
    try (LongPointer n = new LongPointer(1)) {
      n.put(rank == root ? bytes.length : 0);
      check(LlmjMpi.llmj_mpi_bcast(n.address(), Long.BYTES, root), "MPI_Bcast of a length", rank, size);
      try (BytePointer b = new BytePointer(Math.max(1, n.get()))) {
        if (rank == root) {
          b.put(bytes);
        }
        check(LlmjMpi.llmj_mpi_bcast(b.address(), n.get(), root), "MPI_Bcast of " + n.get() + " bytes", rank, size);
        byte[] out = new byte[Math.toIntExact(n.get())];
        b.get(out);
        return out;
      }
    }
  }

  @Override
  public void barrier() {
    check(LlmjMpi.llmj_mpi_barrier(), "MPI_Barrier", rank, size);
  }

  @Override
  public void abort(int status) {
    LlmjMpi.llmj_mpi_abort(status);
    Runtime.getRuntime().halt(status); // MPI_Abort does not return; should it, this process still ends
  }

  @Override
  public synchronized void finish() {
    if (!finished) {
      finished = true;
      check(LlmjMpi.llmj_mpi_finalize(), "MPI_Finalize", rank, size);
    }
  }

  private void requireRoot(int root) {
    if (root < 0 || root >= size) {
      throw new IllegalArgumentException("root rank " + root + " does not exist in a job of " + size + " ranks");
    }
  }

  /** The address of the array's first element; its elements must lie contiguously from there. */
  private static long address(INDArray array) {
    if (array.length() > 0 && array.elementWiseStride() != 1) {
      throw new IllegalArgumentException("array of shape " + java.util.Arrays.toString(array.shape())
          + " is not contiguous in memory (element-wise stride " + array.elementWiseStride() + "); pass a flat view or"
          + " a dup()");
    }
    return array.data().address() + array.offset() * array.data().getElementSize();
  }

  private static int type(INDArray array) {
    if (array.dataType() == DataType.FLOAT) {
      return FLOAT;
    }
    if (array.dataType() == DataType.DOUBLE) {
      return DOUBLE;
    }
    throw new UnsupportedOperationException("collectives take FLOAT or DOUBLE arrays, not " + array.dataType());
  }

  private static void check(int rc, String call, int rank, int size) {
    if (rc != 0) {
      byte[] text = new byte[512];
      LlmjMpi.llmj_mpi_error_string(rc, text, text.length);
      int len = 0;
      while (len < text.length && text[len] != 0) {
        len++;
      }
      throw new IllegalStateException(call + " failed" + (rank < 0 ? "" : " on rank " + rank + (size < 0 ? "" : " of "
          + size)) + ": " + new String(text, 0, len, StandardCharsets.UTF_8) + " (error " + rc + "); if another rank"
          + " has failed, its message says why");
    }
  }
}
