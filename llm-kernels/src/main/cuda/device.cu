// Device buffers for callers that have no CUDA allocator of their own (the JavaCPP binding).
// Copies are synchronous (cudaMemcpy): the caller's host memory is pageable and may be reused as
// soon as the call returns.
#include <cstring>

#include <cuda_runtime.h>

#include "status.cuh"

namespace {
llmj_status cuda_failed(const char* what, cudaError_t e) {
  return llmj_fail(LLMJ_CUDA_ERROR, "%s: CUDA error %d (%s): %s", what, (int)e, cudaGetErrorName(e),
                   cudaGetErrorString(e));
}
}  // namespace

extern "C" llmj_status llmj_malloc(void** ptr, size_t bytes) {
  if (ptr == nullptr) return llmj_fail(LLMJ_BAD_ARGUMENT, "llmj_malloc: ptr is NULL; pass the address of a void*");
  *ptr = nullptr;
  if (bytes == 0) return LLMJ_OK;  // nothing to allocate; llmj_free(NULL) is a no-op
  cudaError_t e = cudaMalloc(ptr, bytes);
  if (e != cudaSuccess) {
    *ptr = nullptr;
    return llmj_fail(LLMJ_CUDA_ERROR, "llmj_malloc(%zu bytes): CUDA error %d (%s): %s", bytes, (int)e,
                     cudaGetErrorName(e), cudaGetErrorString(e));
  }
  return LLMJ_OK;
}

extern "C" llmj_status llmj_free(void* ptr) {
  if (ptr == nullptr) return LLMJ_OK;
  cudaError_t e = cudaFree(ptr);
  return e == cudaSuccess ? LLMJ_OK : cuda_failed("llmj_free", e);
}

extern "C" llmj_status llmj_copy_to_device(void* dst, const void* host_src, size_t bytes) {
  if (bytes == 0) return LLMJ_OK;
  if (dst == nullptr || host_src == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "llmj_copy_to_device: %s is NULL for %zu bytes; pass a valid buffer",
                     dst == nullptr ? "dst" : "host_src", bytes);
  cudaError_t e = cudaMemcpy(dst, host_src, bytes, cudaMemcpyHostToDevice);
  return e == cudaSuccess ? LLMJ_OK : cuda_failed("llmj_copy_to_device", e);
}

extern "C" llmj_status llmj_copy_to_host(void* host_dst, const void* src, size_t bytes) {
  if (bytes == 0) return LLMJ_OK;
  if (host_dst == nullptr || src == nullptr)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "llmj_copy_to_host: %s is NULL for %zu bytes; pass a valid buffer",
                     host_dst == nullptr ? "host_dst" : "src", bytes);
  cudaError_t e = cudaMemcpy(host_dst, src, bytes, cudaMemcpyDeviceToHost);
  return e == cudaSuccess ? LLMJ_OK : cuda_failed("llmj_copy_to_host", e);
}

extern "C" llmj_status llmj_synchronize(void) {
  cudaError_t e = cudaDeviceSynchronize();
  return e == cudaSuccess ? LLMJ_OK : cuda_failed("llmj_synchronize", e);
}

extern "C" llmj_status llmj_device_info(char* name, size_t name_capacity, int* compute_capability) {
  if (name == nullptr && name_capacity > 0)
    return llmj_fail(LLMJ_BAD_ARGUMENT, "llmj_device_info: name is NULL with name_capacity %zu; pass a buffer "
                     "or capacity 0", name_capacity);
  int device = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e != cudaSuccess) return cuda_failed("llmj_device_info: cudaGetDevice", e);
  cudaDeviceProp prop;
  e = cudaGetDeviceProperties(&prop, device);
  if (e != cudaSuccess) return cuda_failed("llmj_device_info: cudaGetDeviceProperties", e);
  if (name_capacity > 0) {
    std::strncpy(name, prop.name, name_capacity - 1);
    name[name_capacity - 1] = '\0';
  }
  if (compute_capability != nullptr) *compute_capability = prop.major * 10 + prop.minor;
  return LLMJ_OK;
}
