package dev.llmj.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Write-then-rename helpers: content is built under a temporary sibling name, flushed to disk, and
 * renamed into place, so a crash leaves either the old state or the complete new one.
 */
final class AtomicFiles {
  /** Prefix of temporary siblings; anything starting with it is debris of an interrupted write. */
  static final String TEMP_PREFIX = ".tmp-";

  private AtomicFiles() {}

  interface PathWriter {
    void write(Path path) throws IOException;
  }

  /** Writes a file through {@code writer} and atomically replaces {@code target} with it. */
  static void writeFile(Path target, PathWriter writer) throws IOException {
    Path tmp = tempSibling(target);
    try {
      writer.write(tmp);
      fsync(tmp);
      move(tmp, target, true);
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Fills a fresh directory through {@code writer} and renames it to {@code target}, which must not
   * exist yet.
   */
  static void writeDirectory(Path target, PathWriter writer) throws IOException {
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite an existing directory");
    }
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = tempSibling(target);
    Files.createDirectory(tmp);
    try {
      writer.write(tmp);
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          if (Files.isRegularFile(f)) {
            fsync(f);
          }
        }
      }
      fsyncDirectory(tmp);
      move(tmp, target, false);
    } catch (IOException | RuntimeException | Error e) {
      deleteTree(tmp);
      throw e;
    }
    fsyncDirectory(parent);
  }

  static Path tempSibling(Path target) {
    String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    return target.toAbsolutePath().resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + nonce);
  }

  private static void move(Path from, Path to, boolean replace) throws IOException {
    try {
      if (replace) {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system of " + to + " cannot rename atomically; write to a local disk", e);
    }
  }

  static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a rename durable. Some platforms (Windows) cannot open directories; there it is skipped. */
  static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Best effort by design: the rename itself already happened.
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
