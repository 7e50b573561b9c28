package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointStoreTest {

  private static Checkpoint checkpoint(long step, double valLoss) {
    INDArray params = Nd4j.rand(DataType.FLOAT, 1, 1000).addi(step);
    INDArray updater = Nd4j.rand(DataType.FLOAT, 1, 2000);
    return new Checkpoint(step, params, updater, JsonNodeFactory.instance.objectNode().put("note", "s" + step),
        valLoss);
  }

  @Test
  void roundTripIsBitwise(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir, 2, false);
    Checkpoint c = checkpoint(7, 1.25);
    store.save(c);
    Checkpoint back = store.latest().orElseThrow();
    assertEquals(7, back.step());
    assertEquals(1.25, back.validationLoss());
    assertEquals("s7", back.state().get("note").asText());
    assertEquals(c.params().reshape(1000), back.params().reshape(1000));
    assertEquals(c.updaterState().reshape(2000), back.updaterState().reshape(2000));
    assertEquals(DataType.FLOAT, back.params().dataType());
  }

  @Test
  void keepsLastKPlusBest(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir, 2, true);
    double[] losses = {3.0, 1.0, 2.0, Double.NaN, 1.5};
    for (int i = 0; i < losses.length; i++) {
      store.save(checkpoint(10L * (i + 1), losses[i]));
    }
    assertEquals(List.of(20L, 40L, 50L), store.steps()); // best (1.0 at step 20) + last two
    CheckpointStore noBest = CheckpointStore.directory(dir.resolve("b"), 1, false);
    noBest.save(checkpoint(1, 0.5));
    noBest.save(checkpoint(2, 9.0));
    assertEquals(List.of(2L), noBest.steps());
  }

  @Test
  void ignoresAndRemovesIncompleteFolders(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir, 3, false);
    store.save(checkpoint(5, Double.NaN));
    Path partial = Files.createDirectories(dir.resolve(".tmp-step-00000010-123"));
    Files.writeString(partial.resolve("params.bin"), "half");
    assertEquals(List.of(5L), store.steps());
    CheckpointStore.directory(dir, 3, false); // reopening after a crash cleans up
    assertFalse(Files.exists(partial));
    assertEquals(5, store.latest().orElseThrow().step());
  }

  @Test
  void detectsDamage(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir, 3, false);
    store.save(checkpoint(3, Double.NaN));
    Path params = dir.resolve("step-00000003").resolve("params.bin");
    try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
      f.seek(f.length() - 5);
      int b = f.read();
      f.seek(f.length() - 5);
      f.write(b ^ 0xFF);
    }
    IOException e = assertThrows(IOException.class, () -> store.load(3));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("CRC32") && e.getMessage().contains("params.bin"), e.getMessage());
  }
}
