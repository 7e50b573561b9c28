package dev.llmj.kernels.mpi;

import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of {@code src/main/mpi/llmj_mpi.h}, one native method per C function with the same name
 * and argument order; the header documents them. Buffers travel as native addresses ({@code long}).
 * Built only where Open MPI's headers are (see the llm-kernels pom); {@link MpiCollective#join()} loads it.
 */
@Platform(include = "llmj_mpi.h", link = "mpi", compiler = {"cpp11", "default"})
final class LlmjMpi {

  private LlmjMpi() {}

  static native int llmj_mpi_init(int[] provided);

  static native int llmj_mpi_rank(int[] rank);

  static native int llmj_mpi_size(int[] size);

  static native int llmj_mpi_allreduce_sum(@Cast("void*") long buf, long count, int type);

  static native int llmj_mpi_bcast(@Cast("void*") long buf, long bytes, int root);

  static native int llmj_mpi_barrier();

  static native int llmj_mpi_abort(int status);

  static native int llmj_mpi_finalize();

  static native void llmj_mpi_error_string(int rc, @Cast("char*") byte[] out, int len);
}
