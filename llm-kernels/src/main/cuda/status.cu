#include <cstdarg>
#include <cstdio>

#include <cuda_runtime.h>

#include "status.cuh"

namespace {
// One buffer per thread: a message must survive until its own thread asks, whatever other threads do.
thread_local char last_error[1024] = "no error";
}  // namespace

extern "C" const char* llmj_last_error(void) { return last_error; }

llmj_status llmj_fail(llmj_status code, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(last_error, sizeof last_error, fmt, args);
  va_end(args);
  return code;
}

llmj_status llmj_check_launch(const char* kernel) {
  // cudaGetLastError also clears a non-sticky error, so the next call does not report this one again.
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess) return LLMJ_OK;
  return llmj_fail(LLMJ_CUDA_ERROR, "%s: CUDA error %d (%s): %s", kernel, (int)e, cudaGetErrorName(e),
                   cudaGetErrorString(e));
}
