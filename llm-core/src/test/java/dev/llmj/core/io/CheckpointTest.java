package dev.llmj.core.io;

import static dev.llmj.core.io.TestModels.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointTest {
  @TempDir Path dir;

  private static Checkpoint checkpoint(long step, Double valLoss) {
    HfConfig config = TestModels.tinyGpt2(1);
    Map<String, INDArray> model = new LinkedHashMap<>(TestModels.random(config, TestModels.SEED + step));
    model.put("extra.double", Nd4j.createFromArray(Math.PI, Double.MIN_VALUE, -1e300));
    Map<String, INDArray> opt = Map.of("updater.state", Nd4j.linspace(DataType.FLOAT, 0, 1, 77));
    ObjectNode scalars = Json.STRICT.createObjectNode().put("iteration", step).put("lr", 3e-4);
    ObjectNode dataPos = Json.STRICT.createObjectNode().put("shard", 3).put("offset", 123456789012L);
    JsonNode rng = Json.STRICT.createArrayNode().add("-6148914691236517206").add(42);
    Map<String, Double> metrics = valLoss == null ? Map.of() : Map.of("val_loss", valLoss);
    return new Checkpoint(config.toJson(), model, opt, scalars,
        new TrainerState(step, step * 4096, metrics, dataPos, rng, Json.STRICT.createObjectNode().put("note", "x")));
  }

  @Test
  void writeThenReadIsExact() throws IOException {
    Checkpoint c = checkpoint(7, 2.5);
    Path folder = dir.resolve("step-7");
    c.write(folder);
    Checkpoint back = Checkpoint.read(folder);
    assertEquals(c.modelConfig(), back.modelConfig());
    assertEquals(c.optimizerScalars().toString(), back.optimizerScalars().toString(), "same JSON text");
    assertEquals(c.trainerState(), back.trainerState());
    assertEquals(DataType.DOUBLE, back.model().get("extra.double").dataType(), "F64 tensors come back as DOUBLE");
    assertEquals(List.of(Math.PI, Double.MIN_VALUE, -1e300),
        List.of(back.model().get("extra.double").getDouble(0), back.model().get("extra.double").getDouble(1),
            back.model().get("extra.double").getDouble(2)));
    Map<String, INDArray> floats = new LinkedHashMap<>(c.model());
    floats.remove("extra.double");
    Map<String, INDArray> backFloats = new LinkedHashMap<>(back.model());
    backFloats.remove("extra.double");
    TestModels.assertExactlyEqual(floats, backFloats);
    TestModels.assertExactlyEqual(c.optimizerState(), back.optimizerState());
    assertThrows(FileAlreadyExistsException.class, () -> c.write(folder));
    System.out.println("checkpoint round trip: weights, optimizer state and JSON state exact (worst difference 0)");
  }

  @Test
  void failedWriteLeavesNothingBehind() throws IOException {
    Checkpoint bad = new Checkpoint(Json.STRICT.createObjectNode(), Map.of("ids", Nd4j.createFromArray(1, 2)),
        Map.of(), null, new TrainerState(1, 0));
    Path folder = dir.resolve("step-1");
    assertThrowsWith(IllegalArgumentException.class, () -> bad.write(folder), "tensor 'ids' has data type INT");
    assertFalse(Files.exists(folder));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(), s.toList(), "temporary folder removed");
    }
  }

  @Test
  void incompleteCheckpointsAreRejectedWithReason() throws IOException {
    Path a = dir.resolve("a");
    checkpoint(1, null).write(a);
    Files.delete(a.resolve("COMPLETE"));
    assertThrowsWith(IllegalArgumentException.class, () -> Checkpoint.read(a), a.toString(), "COMPLETE marker missing");

    Path b = dir.resolve("b");
    checkpoint(1, null).write(b);
    Files.delete(b.resolve("optimizer.json"));
    assertThrowsWith(IllegalArgumentException.class, () -> Checkpoint.read(b), "checkpoint file optimizer.json is missing");

    Path c = dir.resolve("c");
    checkpoint(1, null).write(c);
    byte[] weights = Files.readAllBytes(c.resolve("model.safetensors"));
    Files.write(c.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length - 10));
    assertThrowsWith(IllegalArgumentException.class, () -> Checkpoint.read(c), "model.safetensors",
        "bytes but the checkpoint recorded " + weights.length);

    // A flipped bit keeps the size, so only the checksum read() computes can catch it.
    Path d = dir.resolve("d");
    checkpoint(1, null).write(d);
    byte[] state = Files.readAllBytes(d.resolve("optimizer.safetensors"));
    state[state.length - 3] ^= 0x10;
    Files.write(d.resolve("optimizer.safetensors"), state);
    Checkpoint.verify(d);
    assertThrowsWith(IllegalArgumentException.class, () -> Checkpoint.read(d), "optimizer.safetensors",
        "CRC-32", "resume from an earlier checkpoint");
  }

  @Test
  void managerIgnoresAndCleansInterruptedWrites() throws IOException {
    Path run = dir.resolve("run");
    CheckpointManager m = new CheckpointManager(run, CheckpointManager.Retention.keepLast(5));
    m.save(checkpoint(10, null));
    // A crash mid-save leaves a temporary folder with some files, and maybe a step folder without marker
    // (e.g. a partial copy): neither may be picked for resume.
    Path tmp = run.resolve(".tmp-step-00000020-1234");
    Files.createDirectories(tmp);
    Files.writeString(tmp.resolve("config.json"), "{}");
    Path partial = run.resolve("step-00000030");
    checkpoint(30, null).write(partial);
    Files.delete(partial.resolve("COMPLETE"));
    assertEquals(10, m.latest().orElseThrow().step());
    assertEquals(10, m.loadLatest().orElseThrow().trainerState().step());
    CheckpointManager reopened = new CheckpointManager(run, CheckpointManager.Retention.keepLast(5));
    assertFalse(Files.exists(tmp), "temporary folder cleaned on open");
    assertTrue(Files.exists(partial), "an incomplete step folder is reported, not deleted");
    assertEquals(List.of(10L), reopened.list().stream().map(CheckpointManager.Entry::step).toList());
  }

  @Test
  void retentionKeepsLastKAndBest() throws IOException {
    double[] losses = {5, 3, 1, 4, 4.5, 6};
    CheckpointManager m = new CheckpointManager(dir.resolve("run"),
        CheckpointManager.Retention.keepLast(2).withBest("val_loss", false));
    for (int i = 0; i < losses.length; i++) {
      m.save(checkpoint(i + 1, losses[i]));
    }
    assertEquals(List.of(3L, 5L, 6L), m.list().stream().map(CheckpointManager.Entry::step).toList());
    assertEquals(3, m.best().orElseThrow().step());
    assertEquals(6, m.latest().orElseThrow().step());

    CheckpointManager acc = new CheckpointManager(dir.resolve("run2"),
        CheckpointManager.Retention.keepLast(1).withBest("val_loss", true));
    for (int i = 0; i < losses.length; i++) {
      acc.save(checkpoint(i + 1, losses[i]));
    }
    assertEquals(List.of(6L), acc.list().stream().map(CheckpointManager.Entry::step).toList(), "best is also last");

    // Saving the same step again replaces it.
    Path again = acc.save(checkpoint(6, 0.5));
    assertEquals(0.5, Checkpoint.readTrainerState(again).metrics().get("val_loss"));
    try (Stream<Path> s = Files.list(dir.resolve("run2"))) {
      assertEquals(1, s.count(), "no temporaries left after replacing");
    }
    assertThrowsWith(IllegalArgumentException.class, () -> CheckpointManager.Retention.keepLast(0), "keepLast must be at least 1");
  }
}
