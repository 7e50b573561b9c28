package dev.llmj.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything needed to resume training, as one folder:
 *
 * <pre>
 * config.json             the model configuration, as given
 * model.safetensors       weights by name
 * optimizer.safetensors   optimizer state arrays by name (e.g. Adam moments, flat)
 * optimizer.json          optimizer scalars (iteration count, learning rate, ...)
 * trainer_state.json      {@link TrainerState}
 * COMPLETE                written last: format version, every file's size and CRC-32
 * </pre>
 *
 * Arrays are stored in their own type (FLOAT as F32, DOUBLE as F64), so resuming is bit-exact.
 *
 * <pre>{@code
 * Checkpoint ckpt = new Checkpoint(modelConfigJson, weights, adamState, scalars, new TrainerState(1000, 4_096_000));
 * ckpt.write(Path.of("runs/a/step-00001000"));   // atomic: the folder appears complete or not at all
 * Checkpoint back = Checkpoint.read(Path.of("runs/a/step-00001000"));
 * }</pre>
 */
public record Checkpoint(JsonNode modelConfig, Map<String, INDArray> model, Map<String, INDArray> optimizerState,
    JsonNode optimizerScalars, TrainerState trainerState) {
  static final String MARKER = "COMPLETE";
  static final String FORMAT = "llmj-checkpoint";
  static final int VERSION = 1;
  private static final String CONFIG = "config.json";
  private static final String MODEL = "model.safetensors";
  private static final String OPTIMIZER = "optimizer.safetensors";
  private static final String OPTIMIZER_SCALARS = "optimizer.json";
  private static final String TRAINER = "trainer_state.json";
  private static final List<String> FILES = List.of(CONFIG, MODEL, OPTIMIZER, OPTIMIZER_SCALARS, TRAINER);
  /**
   * Crash tests only: {@code -Dllmj.test.haltInCheckpoint=STEP:FILE} halts the JVM (as SIGKILL would: no
   * shutdown hooks, nothing more written) right after FILE of the checkpoint of STEP is written, before
   * the rest of the folder and its rename.
   */
  static final String HALT_PROPERTY = "llmj.test.haltInCheckpoint";
  /** The exit status of that halt, 128 + SIGKILL's 9 as a shell reports a killed process. */
  static final int HALT_STATUS = 137;

  public Checkpoint {
    if (modelConfig == null || model == null || trainerState == null) {
      throw new IllegalArgumentException("modelConfig, model and trainerState are required");
    }
    modelConfig = modelConfig.deepCopy();
    model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
    optimizerState = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerState == null ? Map.of() : optimizerState));
    optimizerScalars = optimizerScalars == null ? NullNode.getInstance() : optimizerScalars.deepCopy();
  }

  /** Parses the model configuration from the JSON text the model's config class produced. */
  public static JsonNode json(String text) {
    try {
      return Json.STRICT.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("model config is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes the checkpoint to {@code folder}, which must not exist, atomically. */
  public void write(Path folder) throws IOException {
    AtomicFiles.writeDirectory(folder, this::writeInto);
  }

  void writeInto(Path dir) throws IOException {
    writeJson(dir.resolve(CONFIG), modelConfig);
    haltIfAsked(CONFIG);
    Safetensors.write(dir.resolve(MODEL), model, Map.of("format", "pt"));
    haltIfAsked(MODEL);
    Safetensors.write(dir.resolve(OPTIMIZER), optimizerState, Map.of());
    haltIfAsked(OPTIMIZER);
    writeJson(dir.resolve(OPTIMIZER_SCALARS), optimizerScalars);
    haltIfAsked(OPTIMIZER_SCALARS);
    writeJson(dir.resolve(TRAINER), Json.STRICT.valueToTree(trainerState));
    haltIfAsked(TRAINER);
    ObjectNode marker = Json.STRICT.createObjectNode().put("format", FORMAT).put("version", VERSION)
        .put("step", trainerState.step());
    ObjectNode sizes = marker.putObject("files");
    ObjectNode crcs = marker.putObject("crc32");
    for (String f : FILES) {
      sizes.put(f, Files.size(dir.resolve(f)));
      crcs.put(f, crc32(dir.resolve(f))); // read back from the page cache: cheap next to writing
    }
    writeJson(dir.resolve(MARKER), marker);
    haltIfAsked(MARKER);
  }

  private void haltIfAsked(String file) {
    String at = System.getProperty(HALT_PROPERTY);
    if (at != null && at.equals(trainerState.step() + ":" + file)) {
      System.out.println("halting after " + file + " of the checkpoint of step " + trainerState.step() + " (-D"
          + HALT_PROPERTY + "=" + at + ")");
      System.out.flush();
      Runtime.getRuntime().halt(HALT_STATUS);
    }
  }

  private static void writeJson(Path file, JsonNode node) throws IOException {
    Files.write(file, Json.PRETTY.writeValueAsBytes(node));
  }

  /**
   * Reads a checkpoint after {@link #verify}ing it and checking every file's CRC-32, so a flipped bit
   * fails here rather than resuming from corrupt weights. Arrays come back as FLOAT (DOUBLE for F64).
   */
  public static Checkpoint read(Path folder) throws IOException {
    verify(folder);
    JsonNode crcs = readJson(folder.resolve(MARKER)).path("crc32");
    for (String f : FILES) {
      long actual = crc32(folder.resolve(f));
      if (!crcs.path(f).canConvertToLong() || crcs.path(f).asLong() != actual) {
        throw new IllegalArgumentException(folder.resolve(f) + ": CRC-32 " + actual + " but the checkpoint recorded "
            + crcs.path(f) + "; the file is damaged, resume from an earlier checkpoint");
      }
    }
    return new Checkpoint(readJson(folder.resolve(CONFIG)), readTensors(folder.resolve(MODEL)),
        readTensors(folder.resolve(OPTIMIZER)), readJson(folder.resolve(OPTIMIZER_SCALARS)),
        readTrainerState(folder));
  }

  /**
   * Whether {@code folder} carries a checkpoint's {@code COMPLETE} marker, i.e. was written as one;
   * {@link #read} still checks that it is whole.
   */
  public static boolean isCheckpoint(Path folder) {
    return Files.isRegularFile(folder.resolve(MARKER));
  }

  /** Only the trainer state: cheap, for ranking checkpoints without loading weights. */
  public static TrainerState readTrainerState(Path folder) throws IOException {
    Path file = folder.resolve(TRAINER);
    try {
      return Json.STRICT.treeToValue(readJson(file), TrainerState.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not a valid trainer state: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Checks that {@code folder} holds a complete checkpoint: the {@code COMPLETE} marker exists, has
   * this format, and every file it lists exists with the recorded size.
   *
   * @throws IllegalArgumentException naming the folder and the first problem
   */
  public static void verify(Path folder) throws IOException {
    Path markerPath = folder.resolve(MARKER);
    if (!Files.isRegularFile(markerPath)) {
      throw new IllegalArgumentException(folder + ": not a complete checkpoint, " + MARKER
          + " marker missing (interrupted write or partial copy); resume from an earlier checkpoint");
    }
    JsonNode marker = readJson(markerPath);
    if (!FORMAT.equals(marker.path("format").asText()) || marker.path("version").asInt(-1) != VERSION) {
      throw new IllegalArgumentException(markerPath + ": expected format " + FORMAT + " version " + VERSION
          + ", got " + marker.path("format") + " version " + marker.path("version"));
    }
    JsonNode files = marker.path("files");
    for (String f : FILES) {
      if (!files.path(f).canConvertToLong()) {
        throw new IllegalArgumentException(markerPath + ": no recorded size for " + f);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path file = folder.resolve(e.getKey());
      if (!FILES.contains(e.getKey()) || !Files.isRegularFile(file)) {
        throw new IllegalArgumentException(folder + ": checkpoint file " + e.getKey() + " is missing"
            + (FILES.contains(e.getKey()) ? "" : " or unknown") + "; the checkpoint is damaged");
      }
      long size = Files.size(file);
      if (size != e.getValue().asLong()) {
        throw new IllegalArgumentException(file + ": " + size + " bytes but the checkpoint recorded "
            + e.getValue().asLong() + "; the file was truncated or modified");
      }
    }
  }

  private static long crc32(Path file) throws IOException {
    CRC32 crc = new CRC32();
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buffer.clear()) >= 0) {
        crc.update(buffer.flip());
      }
    }
    return crc.getValue();
  }

  private static Map<String, INDArray> readTensors(Path file) throws IOException {
    try (SafetensorsFile f = Safetensors.open(file)) {
      Map<String, INDArray> m = new LinkedHashMap<>();
      for (String name : f.names()) {
        m.put(name, f.load(name, f.info(name).dtype() == SafetensorsDType.F64 ? DataType.DOUBLE : DataType.FLOAT));
      }
      return m;
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    try {
      return Json.STRICT.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
