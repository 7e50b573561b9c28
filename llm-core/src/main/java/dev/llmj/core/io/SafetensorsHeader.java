package dev.llmj.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a safetensors header. The file is untrusted: every length, offset and shape is
 * checked before anything is mapped, so a bad file fails here with a message naming the file and key.
 */
final class SafetensorsHeader {
  /** Same order of magnitude as the reference implementation's limit; real headers are kilobytes. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final Set<String> TENSOR_KEYS = Set.of("dtype", "shape", "data_offsets");

  final long dataStart;
  /** Tensors in data order. */
  final Map<String, TensorInfo> tensors;
  final Map<String, String> metadata;

  private SafetensorsHeader(long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw bad(file, "file is " + fileSize + " bytes, shorter than the 8-byte header length prefix");
    }
    ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, prefix, 0);
    long headerLength = prefix.getLong(0);
    if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
      throw bad(file, "header length " + headerLength + " is outside [1, " + MAX_HEADER_BYTES
          + "]; the file is not safetensors or is corrupt");
    }
    if (headerLength > fileSize - 8) {
      throw bad(file, "header length " + headerLength + " exceeds the " + (fileSize - 8)
          + " bytes after the length prefix; the file is truncated");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(channel, headerBytes, 8);
    long dataStart = 8 + headerLength;
    return parse(file, headerBytes.array(), fileSize - dataStart, dataStart);
  }

  private static SafetensorsHeader parse(Path file, byte[] json, long dataSize, long dataStart) {
    if (json[0] != '{') {
      throw bad(file, "header must start with '{' but starts with byte 0x" + Integer.toHexString(json[0] & 0xff));
    }
    JsonNode root;
    try {
      root = Json.STRICT.readTree(json);
    } catch (JsonProcessingException e) {
      throw bad(file, "header is not valid JSON: " + e.getOriginalMessage()
          + " (" + new String(json, 0, Math.min(json.length, 80), StandardCharsets.UTF_8) + "...)");
    } catch (IOException e) {
      throw bad(file, "header is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw bad(file, "header must be a JSON object");
    }
    Map<String, String> metadata = Map.of();
    List<TensorInfo> infos = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        metadata = parseMetadata(file, e.getValue());
      } else {
        infos.add(parseTensor(file, e.getKey(), e.getValue()));
      }
    }
    infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long cursor = 0;
    String previous = null;
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (TensorInfo t : infos) {
      if (t.end() > dataSize) {
        throw bad(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
            + "] end past the data section of " + dataSize + " bytes; the file is truncated or the offsets are wrong");
      }
      if (t.begin() < cursor) {
        throw bad(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
            + "] overlap tensor '" + previous + "' which ends at " + cursor);
      }
      if (t.begin() > cursor) {
        throw bad(file, "tensor '" + t.name() + "': data_offsets begin at " + t.begin()
            + " leaving bytes [" + cursor + ", " + t.begin() + ") unused; tensors must be packed without gaps");
      }
      cursor = t.end();
      previous = t.name();
      tensors.put(t.name(), t);
    }
    if (cursor != dataSize) {
      throw bad(file, "data section is " + dataSize + " bytes but tensors cover only " + cursor
          + "; trailing bytes after the last tensor");
    }
    return new SafetensorsHeader(dataStart, Collections.unmodifiableMap(tensors), metadata);
  }

  private static Map<String, String> parseMetadata(Path file, JsonNode node) {
    if (!node.isObject()) {
      throw bad(file, "__metadata__ must be an object of strings, got " + node.getNodeType());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw bad(file, "__metadata__ key '" + e.getKey() + "' must be a string, got " + e.getValue().getNodeType());
      }
      metadata.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(metadata);
  }

  private static TensorInfo parseTensor(Path file, String name, JsonNode node) {
    String where = "tensor '" + name + "'";
    if (name.isEmpty()) {
      throw bad(file, "tensor with an empty name");
    }
    if (!node.isObject()) {
      throw bad(file, where + " must be an object with dtype, shape, data_offsets; got " + node.getNodeType());
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!TENSOR_KEYS.contains(key)) {
        throw bad(file, where + ": unknown key '" + key + "'; valid keys are dtype, shape, data_offsets");
      }
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw bad(file, where + ": dtype must be a string, got " + dtypeNode);
    }
    SafetensorsDType dtype = SafetensorsDType.fromHeaderName(dtypeNode.textValue());
    if (dtype == null) {
      throw bad(file, where + ": unknown dtype '" + dtypeNode.textValue() + "'; valid dtypes are "
          + SafetensorsDType.validNames());
    }
    long[] shape = nonNegativeLongs(file, where + ": shape", node.get("shape"), -1);
    long[] offsets = nonNegativeLongs(file, where + ": data_offsets", node.get("data_offsets"), 2);
    long bytes;
    try {
      long numel = 1;
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      bytes = Math.multiplyExact(numel, (long) dtype.bytes());
    } catch (ArithmeticException e) {
      throw bad(file, where + ": shape " + Arrays.toString(shape) + " of " + dtype + " overflows 64-bit byte count");
    }
    if (offsets[0] > offsets[1]) {
      throw bad(file, where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] have begin > end");
    }
    if (offsets[1] - offsets[0] != bytes) {
      throw bad(file, where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
          + (offsets[1] - offsets[0]) + " bytes but " + dtype + " shape " + Arrays.toString(shape)
          + " needs " + bytes);
    }
    return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
  }

  /** @param expectedLength required array length, or -1 for any */
  private static long[] nonNegativeLongs(Path file, String where, JsonNode node, int expectedLength) {
    if (node == null || !node.isArray()) {
      throw bad(file, where + " must be an array of non-negative integers, got " + node);
    }
    if (expectedLength >= 0 && node.size() != expectedLength) {
      throw bad(file, where + " must have " + expectedLength + " entries, got " + node.size());
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw bad(file, where + "[" + i + "] must be a non-negative 64-bit integer, got " + v);
      }
      values[i] = v.longValue();
    }
    return values;
  }

  static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long pos = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos);
      if (n < 0) {
        throw new EOFException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  static IllegalArgumentException bad(Path file, String message) {
    return new IllegalArgumentException(file + ": " + message);
  }
}
