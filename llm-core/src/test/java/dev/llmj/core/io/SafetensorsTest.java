package dev.llmj.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsTest {
  static final long SEED = Long.getLong("tests.seed", 0x5eed);

  @TempDir Path dir;

  private Path golden() throws IOException {
    Path p = dir.resolve("golden.safetensors");
    try (InputStream in = getClass().getResourceAsStream("golden.safetensors")) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void readsGoldenFileFromPythonScript() throws IOException {
    try (SafetensorsFile f = Safetensors.open(golden())) {
      assertEquals(List.of("a", "b", "c", "d", "s"), List.copyOf(f.names()));
      assertEquals(Map.of("format", "pt", "source", "make_golden_safetensors.py"), f.metadata());
      assertEquals(SafetensorsDType.BF16, f.info("c").dtype());
      assertArrayEquals(new long[] {2, 2}, f.info("c").shape());
      assertEquals(new TensorInfo("b", SafetensorsDType.F16, new long[] {6}, 24, 36), f.info("b"));

      INDArray a = f.load("a");
      assertArrayEquals(new long[] {2, 3}, a.shape());
      assertEquals(DataType.FLOAT, a.dataType());
      assertArrayEquals(new float[] {1f, -2.5f, 3.25f, 0f, 1e-3f, -65504f}, a.reshape(6).toFloatVector());

      float[] b = f.load("b").toFloatVector();
      assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0f}, b);
      assertEquals(0x80000000, Float.floatToRawIntBits(b[5]), "negative zero keeps its sign");

      assertArrayEquals(new float[] {1f, -3f, 0x1p-130f, Float.intBitsToFloat(Float.floatToIntBits(3.0e38f) & 0xffff0000)},
          f.load("c").reshape(4).toFloatVector());

      assertArrayEquals(new double[] {0.1, -1e300, Double.MIN_VALUE}, f.load("d", DataType.DOUBLE).toDoubleVector());
      assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY, 0f}, f.load("d").toFloatVector());

      INDArray s = f.load("s");
      assertEquals(0, s.rank());
      assertEquals(7f, s.getFloat(0));
      System.out.println("golden: 5 tensors bit-exact, worst difference 0");
    }
  }

  @Test
  void writerReproducesGoldenBytes() throws IOException {
    Path golden = golden();
    // Each tensor in the type the script wrote, so the lossless writer picks the same dtypes.
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    try (SafetensorsFile f = Safetensors.open(golden)) {
      tensors.put("a", f.load("a"));
      tensors.put("b", f.load("b").castTo(DataType.HALF));
      tensors.put("c", f.load("c").castTo(DataType.BFLOAT16));
      tensors.put("d", f.load("d", DataType.DOUBLE));
      tensors.put("s", f.load("s"));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("source", "make_golden_safetensors.py");
    Path out = dir.resolve("java.safetensors");
    Safetensors.write(out, tensors, meta);
    assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(out), "Java writer output equals Python's");
  }

  @Test
  void roundTripsEveryWritableTypeAcrossChunksAndMappings() throws IOException {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    SplittableRandom random = new SplittableRandom(SEED);
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    long[][] shapes = {{1}, {7}, {13, 3}, {4098}, {2, 3, 5}, {SafetensorsFile.CHUNK_ELEMENTS + 7}, {0, 4}};
    for (int i = 0; i < shapes.length; i++) {
      int n = (int) Math.max(1, java.util.Arrays.stream(shapes[i]).reduce(1, (x, y) -> x * y));
      float[] v = new float[n];
      for (int j = 0; j < n; j++) {
        v[j] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 5)));
      }
      INDArray arr = shapes[i][0] == 0 ? Nd4j.create(DataType.FLOAT, shapes[i], 'c') : Nd4j.createFromArray(v).reshape('c', shapes[i]);
      tensors.put("t" + i, arr);
    }
    tensors.put("transposed", Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6}).reshape(2, 3).transpose());
    for (SafetensorsDType dtype : new SafetensorsDType[] {SafetensorsDType.F32, SafetensorsDType.F64,
        SafetensorsDType.F16, SafetensorsDType.BF16}) {
      Path file = dir.resolve(dtype + ".safetensors");
      Safetensors.write(file, tensors, Map.of("k", "v"), dtype);
      double worst = 0;
      // A 64 KiB mapping limit forces the 1M-element tensor through dozens of separate mappings.
      for (long mapLimit : new long[] {SafetensorsFile.MAX_MAP_BYTES, (1 << 16) + 6}) {
        try (SafetensorsFile f = SafetensorsFile.open(file, mapLimit)) {
          assertEquals(List.copyOf(tensors.keySet()), List.copyOf(f.names()));
          for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray got = f.load(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            float[] want = e.getValue().dup('c').reshape(e.getValue().length()).toFloatVector();
            float[] have = got.dup('c').reshape(got.length()).toFloatVector();
            for (int j = 0; j < want.length; j++) {
              float expected = switch (dtype) {
                case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(want[j]));
                case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[j]));
                default -> want[j];
              };
              assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(have[j]),
                  () -> dtype + " " + e.getKey() + " seed " + SEED);
              if (Float.isFinite(expected)) {
                worst = Math.max(worst, Math.abs(expected - have[j]));
              }
            }
          }
        }
      }
      System.out.println(dtype + " round trip: worst difference to the rounded reference " + worst);
    }
  }

  @Test
  void writeOverwritesAtomicallyAndLeavesNoTemporaries() throws IOException {
    Path file = dir.resolve("w.safetensors");
    Safetensors.write(file, Map.of("x", Nd4j.createFromArray(1f, 2f)), Map.of());
    Safetensors.write(file, Map.of("y", Nd4j.createFromArray(3f)), Map.of());
    try (SafetensorsFile f = Safetensors.open(file)) {
      assertEquals(List.of("y"), List.copyOf(f.names()));
    }
    try (var s = Files.list(dir)) {
      assertEquals(List.of(file), s.toList());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(file, Map.of("i", Nd4j.createFromArray(1, 2)), Map.of()));
    assertTrue(e.getMessage().contains("tensor 'i' has data type INT"), e.getMessage());
  }

  // ---- malformed input: each case must fail with its own message naming file and tensor ----

  private Path craft(String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return craft(json.length, json, dataBytes);
  }

  private Path craft(long declaredLength, byte[] json, int dataBytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(json);
    Path p = Files.createTempFile(dir, "bad", ".safetensors");
    Files.write(p, b.array());
    return p;
  }

  private static void expectError(Path file, String... fragments) {
    Exception e = assertThrows(RuntimeException.class, () -> {
      try (SafetensorsFile f = Safetensors.open(file)) {
        for (String name : f.names()) {
          f.load(name);
        }
      }
    });
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
    System.out.println("rejected: " + e.getMessage().substring(file.toString().length() + 2));
  }

  private static String t(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }

  @Test
  void rejectsMalformedFiles() throws IOException {
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    expectError(tiny, "shorter than the 8-byte");
    expectError(craft(1000, "{}".getBytes(StandardCharsets.UTF_8), 0), "header length 1000 exceeds the 2 bytes");
    expectError(craft(SafetensorsHeader.MAX_HEADER_BYTES + 1, new byte[0], 0), "header length 104857601 is outside");
    expectError(craft(0, new byte[0], 0), "header length 0 is outside");
    expectError(craft("{" + t("a", "F32", "[2]", 0, 8).substring(0, 20), 8), "not valid JSON");
    expectError(craft("{\"a\": [1,}", 0), "not valid JSON");
    expectError(craft("[1]", 0), "must start with '{'");
    expectError(craft("{" + t("a", "F32", "[1]", 0, 4) + "," + t("a", "F32", "[1]", 4, 8) + "}", 8),
        "not valid JSON", "Duplicate field 'a'");
    expectError(craft("{\"a\":3}", 0), "tensor 'a' must be an object");
    expectError(craft("{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[2]", 4, 12) + "}", 12),
        "tensor 'b'", "overlap tensor 'a' which ends at 8");
    expectError(craft("{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[2]", 8, 16) + "}", 12),
        "tensor 'b'", "end past the data section of 12 bytes");
    expectError(craft("{" + t("a", "F32", "[3]", 0, 8) + "}", 8), "tensor 'a'", "span 8 bytes but F32 shape [3] needs 12");
    expectError(craft("{" + t("a", "F32", "[0]", 8, 0) + "}", 8), "tensor 'a'", "begin > end");
    expectError(craft("{" + t("w", "F17", "[2]", 0, 8) + "}", 8), "tensor 'w'", "unknown dtype 'F17'", "valid dtypes are F64");
    expectError(craft("{" + t("a", "F32", "[-2]", 0, 8) + "}", 8), "tensor 'a'", "shape[0] must be a non-negative");
    expectError(craft("{" + t("a", "F32", "[2.5]", 0, 8) + "}", 8), "tensor 'a'", "shape[0] must be a non-negative");
    expectError(craft("{" + t("a", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8), "tensor 'a'", "overflows");
    expectError(craft("{" + t("a", "F32", "[1]", 4, 8) + "}", 8), "tensor 'a'", "bytes [0, 4) unused");
    expectError(craft("{" + t("a", "F32", "[1]", 0, 4) + "}", 8), "trailing bytes");
    expectError(craft("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ key 'k' must be a string");
    expectError(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
        "tensor 'a'", "unknown key 'x'");
    expectError(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 0), "tensor 'a'", "data_offsets must be an array");
    expectError(craft("{" + t("a", "F32", "[1]", 0, 4) + "} x", 4), "not valid JSON");
  }

  @Test
  void nonFloatTensorsListButDoNotLoad() throws IOException {
    Path p = craft("{" + t("ids", "I32", "[2]", 0, 8) + "}", 8);
    try (SafetensorsFile f = Safetensors.open(p)) {
      assertEquals(SafetensorsDType.I32, f.info("ids").dtype());
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> f.load("ids"));
      assertTrue(e.getMessage().contains("tensor 'ids' has dtype I32"), e.getMessage());
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> f.load("nope"));
      assertTrue(missing.getMessage().contains("no tensor named 'nope'"), missing.getMessage());
    }
  }
}
