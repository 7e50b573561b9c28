package dev.llmj.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writeFileReplacesTheTargetAndLeavesNoTemporary() throws IOException {
    Path target = tmp.resolve("index.json");
    AtomicFiles.writeFile(target, p -> Files.writeString(p, "old"));
    AtomicFiles.writeFile(target, p -> Files.writeString(p, "new"));
    assertEquals("new", Files.readString(target));
    assertEquals(List.of("index.json"), names());
  }

  @Test
  void failedWriteKeepsTheOldFileAndRemovesItsTemporary() throws IOException {
    Path target = tmp.resolve("config.json");
    Files.writeString(target, "old");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeFile(target, p -> {
      Files.writeString(p, "half");
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target));
    assertEquals(List.of("config.json"), names());
  }

  @Test
  void writeDirectoryPublishesAWholeFolderAndRefusesAnExistingOne() throws IOException {
    Path target = tmp.resolve("step-00000007");
    AtomicFiles.writeDirectory(target, d -> {
      Files.write(d.resolve("a.bin"), new byte[] {1, 2, 3});
      Files.writeString(d.resolve("b.json"), "{}");
    });
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target.resolve("a.bin")));
    assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeDirectory(target, d -> { }));

    Path broken = tmp.resolve("step-00000008");
    assertThrows(IllegalStateException.class, () -> AtomicFiles.writeDirectory(broken, d -> {
      Files.writeString(d.resolve("a.bin"), "partial");
      throw new IllegalStateException("interrupted");
    }));
    assertFalse(Files.exists(broken));
    assertEquals(List.of("step-00000007"), names());
  }

  @Test
  void streamedTemporaryIsRecognisedAsDebrisUntilPublished() throws IOException {
    Path target = tmp.resolve("shard-00000.bin");
    Path temp = AtomicFiles.tempSibling(target);
    assertEquals(tmp.toAbsolutePath(), temp.getParent());
    assertTrue(AtomicFiles.isTemporary(temp), temp.toString());
    assertFalse(AtomicFiles.isTemporary(target));
    assertFalse(temp.equals(AtomicFiles.tempSibling(target)), "two writers of one target share a temporary");
    Files.writeString(temp, "tokens", StandardCharsets.UTF_8);
    AtomicFiles.publish(temp, target);
    assertEquals("tokens", Files.readString(target));
    assertEquals(List.of("shard-00000.bin"), names());
  }

  @Test
  void deleteTreeRemovesNestedFoldersAndIgnoresAMissingOne() throws IOException {
    Path root = tmp.resolve(".tmp-step-1-abc");
    Files.createDirectories(root.resolve("x/y"));
    Files.writeString(root.resolve("x/y/z.bin"), "z");
    AtomicFiles.deleteTree(root);
    assertFalse(Files.exists(root));
    AtomicFiles.deleteTree(root);
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
