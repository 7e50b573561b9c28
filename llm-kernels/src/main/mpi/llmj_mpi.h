// The few Open MPI calls a data-parallel trainer makes, on MPI_COMM_WORLD. Every function returns an
// MPI error code (MPI_SUCCESS is 0); llmj_mpi_error_string turns one into text. Buffers travel as
// addresses. Counts are 64-bit: calls are split into pieces of at most INT_MAX elements, as MPI's
// counts are ints.
#ifndef LLMJ_MPI_H
#define LLMJ_MPI_H

// C API only: the deprecated C++ bindings would need libmpi_cxx at load time.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <dlfcn.h>
#include <climits>
#include <cstdlib>
#include <cstring>

// Joins the job with MPI_THREAD_SERIALIZED (calls from any thread, one at a time) and makes errors
// return codes instead of aborting, so that the caller can say what failed. *provided gets the thread
// level Open MPI grants.
inline int llmj_mpi_init(int* provided) {
  // The JVM loads this library, and so libmpi, with RTLD_LOCAL; Open MPI's plugins, which libmpi opens
  // itself, need libmpi's symbols in the global scope. Reopening it RTLD_GLOBAL promotes them.
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &info) != 0 && info.dli_fname != nullptr) {
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  }
  // Open MPI's own handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT would replace the JVM's, which
  // uses SIGSEGV in normal operation; an empty list keeps the JVM's.
  setenv("OMPI_MCA_opal_signal", "", 0);
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, provided);
  if (rc != MPI_SUCCESS) return rc;
  return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

inline int llmj_mpi_rank(int* rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }

inline int llmj_mpi_size(int* size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

// In-place sum over all ranks of count floats (type 0) or doubles (type 1) at buf.
inline int llmj_mpi_allreduce_sum(void* buf, long long count, int type) {
  MPI_Datatype t = type == 0 ? MPI_FLOAT : MPI_DOUBLE;
  size_t width = type == 0 ? sizeof(float) : sizeof(double);
  char* p = static_cast<char*>(buf);
  for (long long done = 0; done < count;) {
    int n = static_cast<int>(count - done < INT_MAX ? count - done : INT_MAX);
    int rc = MPI_Allreduce(MPI_IN_PLACE, p + done * width, n, t, MPI_SUM, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
    done += n;
  }
  return MPI_SUCCESS;
}

// Rank root's bytes at buf copied to buf on every rank.
inline int llmj_mpi_bcast(void* buf, long long bytes, int root) {
  char* p = static_cast<char*>(buf);
  for (long long done = 0; done < bytes;) {
    int n = static_cast<int>(bytes - done < INT_MAX ? bytes - done : INT_MAX);
    int rc = MPI_Bcast(p + done, n, MPI_BYTE, root, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
    done += n;
  }
  return MPI_SUCCESS;
}

inline int llmj_mpi_barrier() { return MPI_Barrier(MPI_COMM_WORLD); }

inline int llmj_mpi_abort(int status) { return MPI_Abort(MPI_COMM_WORLD, status); }

inline int llmj_mpi_finalize() { return MPI_Finalize(); }

// The text of error code rc, cut to fit len bytes (NUL included).
inline void llmj_mpi_error_string(int rc, char* out, int len) {
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  if (MPI_Error_string(rc, text, &n) != MPI_SUCCESS) n = 0;
  text[n < MPI_MAX_ERROR_STRING ? n : MPI_MAX_ERROR_STRING - 1] = '\0';
  if (len > 0) {
    std::strncpy(out, text, len - 1);
    out[len - 1] = '\0';
  }
}

#endif
