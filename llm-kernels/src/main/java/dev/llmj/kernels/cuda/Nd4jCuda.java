package dev.llmj.kernels.cuda;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Access to nd4j-cuda's device buffers and stream, by reflection so that llm-kernels compiles and
 * runs without nd4j-cuda (1.0.0-M2.1, org.nd4j.jita): {@code FlowController.prepareAction*} makes
 * each array current on the device and allocates lazily created outputs, {@code
 * Allocator.getPointer} gives its device address, the kernel is queued on the thread's execution
 * stream (where ND4J queues its own ops, so no synchronisation is needed), and {@code
 * registerAction*} marks the outputs as written on the device so that a later host read copies
 * them back.
 */
final class Nd4jCuda {

  static final String BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";

  private Nd4jCuda() {}

  /** Why ND4J's arrays cannot be handed to the kernels, or empty when they can. */
  static Optional<String> problem() {
    String backend = Nd4j.getBackend().getClass().getName();
    if (!backend.equals(BACKEND)) {
      return Optional.of("ND4J runs on " + backend + ", not nd4j-cuda's " + BACKEND
          + "; without it, run the kernels on CudaBuffers");
    }
    return Api.PROBLEM;
  }

  /** Prepares one kernel call on the arrays, which must be dense c-order with offset 0. */
  static Launch launch(INDArray[] outputs, INDArray... inputs) {
    Api api = Api.require();
    return new Launch(api, api.prepare(outputs, inputs), outputs, inputs);
  }

  /** One kernel call between prepare and register; closing it registers the writes. */
  static final class Launch implements AutoCloseable {

    private final Api api;
    private final Object context;
    private final INDArray[] outputs, inputs;

    private Launch(Api api, Object context, INDArray[] outputs, INDArray[] inputs) {
      this.api = api;
      this.context = context;
      this.outputs = outputs;
      this.inputs = inputs;
    }

    /** Device address of {@code a}'s first element. */
    Pointer device(INDArray a) {
      return (Pointer) api.call(api.getPointer(), api.allocator(), a, context);
    }

    /**
     * The thread's execution stream as a {@code cudaStream_t}. libnd4j hands out a pointer to the
     * handle ({@code cudaStream_t*}), hence the dereference, as nd4j-cuda does for cuBLAS.
     */
    Pointer stream() {
      Pointer handleAddress = (Pointer) api.call(api.getOldStream(), context);
      return new PointerPointer<Pointer>(handleAddress).get(0);
    }

    @Override
    public void close() {
      api.call(api.registerAllWrite(), api.flow(), context, outputs);
      api.call(api.register(), api.flow(), context, outputs[0], inputs);
    }
  }

  /** The reflected nd4j-cuda entry points. */
  private record Api(Object allocator, Object flow, Method getPointer, Method getOldStream, Method prepareAllWrite,
      Method prepare, Method registerAllWrite, Method register) {

    static final Api INSTANCE;
    static final Optional<String> PROBLEM;

    static {
      Api api = null;
      String problem = null;
      try {
        api = lookUp();
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        problem = "nd4j-cuda's allocator API (org.nd4j.jita, as in 1.0.0-M2.1) is not there: " + e;
      }
      INSTANCE = api;
      PROBLEM = Optional.ofNullable(problem);
    }

    private static Api lookUp() throws ReflectiveOperationException {
      ClassLoader loader = Nd4j.getBackend().getClass().getClassLoader();
      Class<?> allocatorType = Class.forName("org.nd4j.jita.allocator.Allocator", true, loader);
      Class<?> flowType = Class.forName("org.nd4j.jita.flow.FlowController", true, loader);
      Class<?> contextType = Class.forName("org.nd4j.linalg.jcublas.context.CudaContext", true, loader);
      Object allocator = Class.forName("org.nd4j.jita.allocator.impl.AtomicAllocator", true, loader)
          .getMethod("getInstance").invoke(null);
      return new Api(allocator, allocatorType.getMethod("getFlowController").invoke(allocator),
          allocatorType.getMethod("getPointer", INDArray.class, contextType),
          contextType.getMethod("getOldStream"),
          flowType.getMethod("prepareActionAllWrite", INDArray[].class),
          flowType.getMethod("prepareAction", INDArray.class, INDArray[].class),
          flowType.getMethod("registerActionAllWrite", contextType, INDArray[].class),
          flowType.getMethod("registerAction", contextType, INDArray.class, INDArray[].class));
    }

    static Api require() {
      PROBLEM.ifPresent(p -> {
        throw new IllegalStateException(p);
      });
      return INSTANCE;
    }

    Object prepare(INDArray[] outputs, INDArray[] inputs) {
      Object context = call(prepareAllWrite, flow, (Object) outputs);
      call(prepare, flow, null, inputs); // copies inputs whose newest data is on the host to the device
      return context;
    }

    Object call(Method m, Object target, Object... args) {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("nd4j-cuda " + m.getName() + " failed", cause);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("nd4j-cuda " + m.getName() + " is not accessible", e);
      }
    }
  }
}
