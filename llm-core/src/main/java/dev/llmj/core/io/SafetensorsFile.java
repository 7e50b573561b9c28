package dev.llmj.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An open safetensors file. The header is parsed and validated on {@link Safetensors#open}; tensor
 * data is memory-mapped region by region on {@link #load}, so neither the file nor a tensor larger
 * than 2 GB ever has to fit in the Java heap.
 */
public final class SafetensorsFile implements TensorSource {
  /** Elements converted per step: a few MB of heap regardless of the tensor's size. */
  static final int CHUNK_ELEMENTS = 1 << 20;
  /** Largest single mapping: one tensor may exceed 2 GB, one MappedByteBuffer may not. */
  static final long MAX_MAP_BYTES = 1L << 30;

  private final Path path;
  private final FileChannel channel;
  private final SafetensorsHeader header;
  private final long maxMapBytes;

  private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, long maxMapBytes) {
    this.path = path;
    this.channel = channel;
    this.header = header;
    this.maxMapBytes = maxMapBytes;
  }

  static SafetensorsFile open(Path path) throws IOException {
    return open(path, MAX_MAP_BYTES);
  }

  /** Tests pass a small {@code maxMapBytes} to exercise tensors spanning several mappings. */
  static SafetensorsFile open(Path path, long maxMapBytes) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel), maxMapBytes);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** The string-to-string {@code __metadata__} map; empty when the file has none. */
  public Map<String, String> metadata() {
    return header.metadata;
  }

  @Override
  public Set<String> names() {
    return header.tensors.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo info = header.tensors.get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + ": no tensor named '" + name + "'; the file holds "
          + header.tensors.size() + " tensors, e.g. " + header.tensors.keySet().stream().limit(5).toList());
    }
    return info;
  }

  @Override
  public INDArray load(String name) throws IOException {
    return load(name, DataType.FLOAT);
  }

  /**
   * Loads one tensor as a c-order array of {@code target} type, FLOAT or DOUBLE (DOUBLE keeps F64
   * tensors exact).
   */
  public INDArray load(String name, DataType target) throws IOException {
    TensorInfo info = info(name);
    if (!info.dtype().isFloat()) {
      throw new UnsupportedOperationException(path + ": tensor '" + name + "' has dtype " + info.dtype()
          + "; only F64, F32, F16 and BF16 tensors load as floating-point arrays");
    }
    if (target != DataType.FLOAT && target != DataType.DOUBLE) {
      throw new IllegalArgumentException("target type " + target + " is not supported; use FLOAT or DOUBLE");
    }
    long[] shape = info.shape();
    long numel = info.numel();
    if (numel == 0) {
      return Nd4j.create(target, shape, 'c');
    }
    int elementBytes = info.dtype().bytes();
    INDArray out = Nd4j.create(target, shape, 'c');
    long done = 0;
    while (done < numel) {
      long regionElements = Math.min(maxMapBytes / elementBytes, numel - done);
      ByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY,
          header.dataStart + info.begin() + done * elementBytes, regionElements * elementBytes)
          .order(ByteOrder.LITTLE_ENDIAN);
      for (long r = 0; r < regionElements; r += CHUNK_ELEMENTS) {
        int n = (int) Math.min(CHUNK_ELEMENTS, regionElements - r);
        region.position((int) (r * elementBytes));
        if (target == DataType.FLOAT) {
          BulkCopy.put(out, done, ElementCodec.decodeFloats(info.dtype(), region, n));
        } else {
          BulkCopy.put(out, done, ElementCodec.decodeDoubles(info.dtype(), region, n));
        }
        done += n;
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.tensors.size() + " tensors]";
  }
}
