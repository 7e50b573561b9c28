package dev.llmj.kernels.cuda;

import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the native library once per JVM and checks that a device it was built for is present.
 * Every failure becomes a reason string instead of an error, because a CPU-only user must be able
 * to have llm-kernels on the class path without CUDA.
 */
final class CudaRuntime {

  /** The oldest compute capability the library carries machine code for (sm_80). */
  static final int MIN_COMPUTE_CAPABILITY = 80;

  private static final int LLMJ_BAD_ARGUMENT = 1, LLMJ_CUDA_ERROR = 2, LLMJ_UNSUPPORTED = 3;

  private CudaRuntime() {}

  /** Why the kernels cannot run in this JVM, or empty when they can. */
  static Optional<String> problem() {
    return State.INSTANCE.problem;
  }

  /** Name and compute capability of the device, e.g. {@code "NVIDIA H100 (sm_90)"}; empty when unusable. */
  static Optional<String> device() {
    return State.INSTANCE.device;
  }

  /** Fails with the reason unless the kernels can run; call before the first native call of an API method. */
  static void require() {
    problem().ifPresent(p -> {
      throw new IllegalStateException("the CUDA kernels cannot run here: " + p);
    });
  }

  /** Throws the exception {@code status} stands for, with this thread's {@code llmj_last_error()}. */
  static void check(int status, String function) {
    if (status != LlmjCuda.OK) {
      throw failure(status, function, lastError());
    }
  }

  /** The exception for a failed status: bad argument, CUDA runtime error or unsupported combination. */
  static RuntimeException failure(int status, String function, String message) {
    String detail = message == null || message.isBlank() ? "(no message from the library)" : message;
    // the kernels' own messages start with the function's name already
    String text = detail.startsWith(function + ":") ? detail : function + ": " + detail;
    return switch (status) {
      case LLMJ_BAD_ARGUMENT -> new IllegalArgumentException(text);
      case LLMJ_CUDA_ERROR -> new CudaException(status, text);
      case LLMJ_UNSUPPORTED -> new UnsupportedOperationException(text);
      default -> new CudaException(status, function + " returned status " + status
          + ", which llmj_cuda.h does not define (library and binding from different builds?): " + message);
    };
  }

  private static String lastError() {
    BytePointer message = LlmjCuda.llmj_last_error();
    return message == null || message.isNull() ? null : message.getString();
  }

  /** The outcome of loading, computed on first use. */
  private record State(Optional<String> problem, Optional<String> device) {

    static final State INSTANCE = load();

    private static State load() {
      String library = Loader.getPlatform() + "/" + System.mapLibraryName("jni" + LlmjCuda.class.getSimpleName());
      try {
        Loader.load(LlmjCuda.class);
      } catch (LinkageError | RuntimeException e) {
        if (LlmjCuda.class.getResource(library) == null) {
          return unusable("this build of llm-kernels has no native CUDA library (no " + library + " beside "
              + LlmjCuda.class.getName() + "); build llm-kernels with -Dllmj.cuda=true where nvcc is installed");
        }
        return unusable("the native CUDA library " + library + " failed to load (" + e
            + "); it needs an NVIDIA driver recent enough for the CUDA toolkit it was built with");
      }
      try (BytePointer name = new BytePointer(256); IntPointer cc = new IntPointer(1)) {
        int status = LlmjCuda.llmj_device_info(name, name.capacity(), cc);
        if (status != LlmjCuda.OK) {
          return unusable("no usable CUDA device: " + failure(status, "llmj_device_info", lastError()).getMessage());
        }
        String device = name.getString() + " (sm_" + cc.get() + ")";
        if (cc.get() < MIN_COMPUTE_CAPABILITY) {
          return unusable("device " + device + " is older than sm_" + MIN_COMPUTE_CAPABILITY
              + ", the oldest architecture the kernels are built for");
        }
        return new State(Optional.empty(), Optional.of(device));
      }
    }

    private static State unusable(String reason) {
      return new State(Optional.of(reason), Optional.empty());
    }
  }
}
