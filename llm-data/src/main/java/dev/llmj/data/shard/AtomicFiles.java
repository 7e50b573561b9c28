package dev.llmj.data.shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable publication of files: write under a temporary name, fsync, rename. A crash leaves either
 * the old state or the complete new file, never a half-written file under the final name.
 */
final class AtomicFiles {
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  static Path tempFor(Path target) {
    return target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
  }

  static void write(Path target, byte[] bytes) throws IOException {
    Path tmp = tempFor(target);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    publish(tmp, target);
  }

  /** Renames a fully written and fsynced temporary file to its final name. */
  static void publish(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * The rename itself lives in the directory entry, so the directory needs an fsync too. POSIX
   * systems allow opening a directory for that; others (Windows) refuse, and there the rename is
   * as durable as the platform makes it.
   */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort, see above
    }
  }
}
