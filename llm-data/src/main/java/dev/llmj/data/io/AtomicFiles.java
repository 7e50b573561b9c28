package dev.llmj.data.io;

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
 * Write-then-rename: content is built under a temporary sibling {@code .tmp-NAME-NONCE}, flushed to
 * disk, renamed into place, and the rename made durable by an fsync of the directory. A crash leaves
 * either the old state or the complete new one, never a half-written file under the final name;
 * what it can leave is debris whose name starts with {@link #TEMP_PREFIX}.
 *
 * <pre>{@code
 * AtomicFiles.writeFile(dir.resolve("index.json"), tmp -> Files.write(tmp, bytes));
 * }</pre>
 *
 * <p>Internal to llmj (shared by {@code llm-data} and {@code llm-core}); not a supported API.
 */
public final class AtomicFiles {
  /** Prefix of temporary siblings; anything starting with it is debris of an interrupted write. */
  public static final String TEMP_PREFIX = ".tmp-";

  private AtomicFiles() {}

  /** Fills the file or directory at the temporary path it is given. */
  @FunctionalInterface
  public interface PathWriter {
    void write(Path path) throws IOException;
  }

  /** Writes a file through {@code writer} and atomically replaces {@code target} with it. */
  public static void writeFile(Path target, PathWriter writer) throws IOException {
    Path tmp = tempSibling(target);
    try {
      writer.write(tmp);
      fsync(tmp);
      publish(tmp, target);
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /**
   * Fills a fresh directory through {@code writer} and renames it to {@code target}, which must not
   * exist yet.
   */
  public static void writeDirectory(Path target, PathWriter writer) throws IOException {
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

  /**
   * A fresh temporary sibling of {@code target}, for writers that stream into a file over many calls
   * and finish with {@link #publish}.
   */
  public static Path tempSibling(Path target) {
    String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    return target.toAbsolutePath().resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + nonce);
  }

  /** True for debris of an interrupted write: a name made by {@link #tempSibling}. */
  public static boolean isTemporary(Path path) {
    return path.getFileName().toString().startsWith(TEMP_PREFIX);
  }

  /**
   * Renames a fully written and fsynced temporary file to {@code target}, replacing it, and makes
   * the rename durable.
   */
  public static void publish(Path tmp, Path target) throws IOException {
    move(tmp, target, true);
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** Deletes {@code root} and everything below it; nothing happens when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
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

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * The rename lives in the directory entry, so the directory needs an fsync too. POSIX systems
   * allow opening a directory for that; others (Windows) refuse, and there the rename is as durable
   * as the platform makes it.
   */
  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort by design: the rename itself already happened.
    }
  }
}
