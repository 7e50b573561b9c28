package dev.llmj.core.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian data.
 *
 * <pre>{@code
 * Safetensors.write(Path.of("weights.safetensors"), Map.of("wte.weight", wte), Map.of("format", "pt"));
 * try (SafetensorsFile f = Safetensors.open(Path.of("weights.safetensors"))) {
 *   INDArray wte = f.load("wte.weight");   // (V, C) float32
 * }
 * }</pre>
 */
public final class Safetensors {
  private Safetensors() {}

  /** Opens and validates {@code file}; tensor data is read only on {@link SafetensorsFile#load}. */
  public static SafetensorsFile open(Path file) throws IOException {
    return SafetensorsFile.open(file);
  }

  /**
   * Writes every tensor in its own type, losslessly: FLOAT as F32, DOUBLE as F64, HALF as F16,
   * BFLOAT16 as BF16. Tensors are stored in the map's iteration order.
   */
  public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
      throws IOException {
    write(file, tensors, metadata, null);
  }

  /**
   * Writes every tensor as {@code dtype} (F64, F32, F16 or BF16), rounding to nearest even. The file
   * appears atomically: it is written next to {@code file}, flushed to disk, then renamed.
   */
  public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata,
      SafetensorsDType dtype) throws IOException {
    if (dtype != null && !dtype.isFloat()) {
      throw new IllegalArgumentException("cannot write dtype " + dtype + "; use F64, F32, F16 or BF16");
    }
    AtomicFiles.writeFile(file, tmp -> writeTo(tmp, tensors, metadata, dtype));
  }

  private static void writeTo(Path file, Map<String, INDArray> tensors, Map<String, String> metadata,
      SafetensorsDType fixed) throws IOException {
    ObjectNode header = Json.STRICT.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach((k, v) -> meta.put(k, requireNonNull(v, "metadata value for key '" + k + "'")));
    }
    long offset = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      String name = e.getKey();
      INDArray array = requireNonNull(e.getValue(), "tensor '" + name + "'");
      if (name == null || name.isEmpty() || name.equals("__metadata__")) {
        throw new IllegalArgumentException("invalid tensor name '" + name + "' for " + file
            + "; names must be non-empty and not __metadata__");
      }
      SafetensorsDType dtype = fixed != null ? fixed : storedType(name, array);
      long bytes = array.length() * dtype.bytes();
      ObjectNode t = header.putObject(name);
      t.put("dtype", dtype.name());
      ArrayNode shape = t.putArray("shape");
      for (long d : array.shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = Json.STRICT.writeValueAsBytes(header);
    int padded = (json.length + 7) & ~7; // data starts 8-byte aligned, so mapped F64 reads are aligned
    ByteBuffer buffer = ByteBuffer.allocateDirect(SafetensorsFile.CHUNK_ELEMENTS * 8).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(padded).put(json);
      while (head.hasRemaining()) {
        head.put((byte) ' ');
      }
      writeFully(out, head.flip());
      for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
        INDArray array = e.getValue();
        SafetensorsDType dtype = fixed != null ? fixed : storedType(e.getKey(), array);
        writeData(out, array, dtype, buffer);
      }
      out.force(true);
    }
  }

  private static void writeData(FileChannel out, INDArray array, SafetensorsDType dtype, ByteBuffer buffer)
      throws IOException {
    long numel = array.length();
    if (numel == 0) {
      return;
    }
    INDArray c = array.isView() || array.ordering() != 'c' ? array.dup('c') : array;
    for (long done = 0; done < numel; done += SafetensorsFile.CHUNK_ELEMENTS) {
      int n = (int) Math.min(SafetensorsFile.CHUNK_ELEMENTS, numel - done);
      buffer.clear();
      if (array.dataType() == DataType.DOUBLE) {
        ElementCodec.encode(dtype, BulkCopy.getDoubles(c, done, n), buffer);
      } else {
        ElementCodec.encode(dtype, BulkCopy.getFloats(c, done, n), buffer);
      }
      writeFully(out, buffer.flip());
    }
  }

  private static SafetensorsDType storedType(String name, INDArray array) {
    return switch (array.dataType()) {
      case FLOAT -> SafetensorsDType.F32;
      case DOUBLE -> SafetensorsDType.F64;
      case HALF -> SafetensorsDType.F16;
      case BFLOAT16 -> SafetensorsDType.BF16;
      default -> throw new IllegalArgumentException("tensor '" + name + "' has data type " + array.dataType()
          + "; only FLOAT, DOUBLE, HALF and BFLOAT16 arrays can be written");
    };
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  private static <T> T requireNonNull(T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    return value;
  }
}
