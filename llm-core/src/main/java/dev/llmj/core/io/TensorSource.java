package dev.llmj.core.io;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Named tensors that are listed without reading their data and loaded one at a time, e.g. a 7B model
 * converted layer by layer without holding two copies in memory.
 *
 * <pre>{@code
 * try (TensorSource src = Safetensors.open(Path.of("model.safetensors"))) {
 *   for (String name : src.names()) {
 *     System.out.println(src.info(name));          // name, dtype, shape
 *   }
 *   INDArray wte = src.load("wte.weight");          // float32, (V, C)
 * }
 * }</pre>
 */
public interface TensorSource extends AutoCloseable {

  /** Tensor names, in storage order. */
  Set<String> names();

  /** @throws IllegalArgumentException naming the tensor when it is absent */
  TensorInfo info(String name);

  /** Loads one tensor as a new c-order float32 array with its stored shape. */
  INDArray load(String name) throws IOException;

  /** Loads every tensor; the map iterates in {@link #names()} order. */
  default Map<String, INDArray> loadAll() throws IOException {
    Map<String, INDArray> all = new LinkedHashMap<>();
    for (String name : names()) {
      all.put(name, load(name));
    }
    return all;
  }

  @Override
  void close() throws IOException;
}
