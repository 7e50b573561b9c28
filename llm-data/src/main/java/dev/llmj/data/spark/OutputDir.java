package dev.llmj.data.spark;

import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The job's output folder, local or on a Hadoop file system. A task writes its shards into a
 * scratch folder of its own and publishes each finished file under its final name by a rename, so
 * a failed or repeated attempt never leaves half a file under a final name; a repeated attempt
 * publishes the same bytes again. The driver writes {@code stats.json} and then {@code _SUCCESS}
 * last: a folder without {@code _SUCCESS} is not a finished run.
 */
final class OutputDir {
  static final String SUCCESS = "_SUCCESS";
  private static final String SCRATCH = "_temporary";

  private final String root;
  private final Configuration conf;

  OutputDir(String root, Configuration conf) {
    this.root = root;
    this.conf = conf;
  }

  private boolean local() {
    return !InputFiles.isUri(root);
  }

  /** On the driver: creates the folder, which must hold no earlier run. */
  void prepare() {
    try {
      if (local()) {
        Path dir = Path.of(root);
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException("Output folder " + root + " is not empty; choose a new folder or empty it");
          }
        }
      } else {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root);
        FileSystem fs = dir.getFileSystem(conf);
        if (fs.exists(dir) && fs.listStatus(dir).length > 0) {
          throw new IllegalArgumentException("Output folder " + root + " is not empty; choose a new folder or empty it");
        }
        fs.mkdirs(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create output folder " + root + ": " + e.getMessage(), e);
    }
  }

  /** A fresh local folder for one task attempt's files. */
  Path scratch(String attempt) throws IOException {
    if (local()) {
      Path dir = Path.of(root, SCRATCH, attempt);
      AtomicFiles.deleteTree(dir);
      return Files.createDirectories(dir);
    }
    return Files.createTempDirectory("llmj-spark-" + attempt);
  }

  /** Moves a finished local file to {@code name} (a path relative to the root, folders created). */
  void publish(Path file, String name) throws IOException {
    if (local()) {
      Path target = Path.of(root, name);
      Files.createDirectories(target.toAbsolutePath().getParent());
      AtomicFiles.publish(file, target);
      return;
    }
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, name);
    org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(root, SCRATCH + "/" + name + "." + System.nanoTime());
    FileSystem fs = target.getFileSystem(conf);
    fs.copyFromLocalFile(true, true, new org.apache.hadoop.fs.Path(file.toUri()), tmp);
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) throw new IOException("rename " + tmp + " to " + target + " failed");
  }

  /** On the driver: writes a small file whole under {@code name}. */
  void write(String name, byte[] bytes) {
    try {
      if (local()) {
        AtomicFiles.writeFile(Path.of(root, name), p -> Files.write(p, bytes));
        return;
      }
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, name);
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(root, SCRATCH + "/" + name);
      FileSystem fs = target.getFileSystem(conf);
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) throw new IOException("rename " + tmp + " to " + target + " failed");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name + " into " + root + ": " + e.getMessage(), e);
    }
  }

  /** On the driver, at the end: removes the task scratch folders. */
  void cleanScratch() {
    try {
      if (local()) {
        AtomicFiles.deleteTree(Path.of(root, SCRATCH));
      } else {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root, SCRATCH);
        dir.getFileSystem(conf).delete(dir, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + SCRATCH + " from " + root + ": " + e.getMessage(), e);
    }
  }
}
