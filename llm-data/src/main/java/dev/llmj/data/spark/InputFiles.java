package dev.llmj.data.spark;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.InputProblems;
import dev.llmj.data.io.ReaderOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The job's inputs: local paths, expanded as the in-process reader expands them, and Hadoop file
 * system URIs ({@code hdfs://}, {@code s3a://}, {@code file:/}), listed through Hadoop. Each file
 * is read by one task: with the in-process reader for everything {@code prepare} reads, and with
 * the Parquet reader for {@code .parquet} files.
 */
final class InputFiles {
  private static final Pattern URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

  private InputFiles() {}

  static boolean isUri(String s) {
    return URI.matcher(s).matches();
  }

  /** An input file and its size on disk (compressed, for a compressed file). */
  record Listed(String name, long bytes) {}

  /** The input files in order; local ones named as {@link Corpus#read(List, ReaderOptions)} names them. */
  static List<Listed> expand(List<String> inputs, Configuration conf) {
    if (inputs.isEmpty()) throw new IllegalArgumentException("No input given; pass at least one file, folder or glob");
    List<Listed> files = new ArrayList<>();
    List<Path> local = new ArrayList<>();
    for (String in : inputs) {
      if (!isUri(in)) {
        local.add(Path.of(in));
        continue;
      }
      flushLocal(local, files);
      files.addAll(listUri(in, conf));
    }
    flushLocal(local, files);
    if (files.size() > Identity.MAX_FILES) {
      throw new IllegalArgumentException(files.size() + " input files are more than " + Identity.MAX_FILES
          + "; merge small files first");
    }
    return files;
  }

  private static void flushLocal(List<Path> local, List<Listed> files) {
    if (local.isEmpty()) return;
    try (CorpusReader r = Corpus.read(List.copyOf(local), ReaderOptions.defaults())) {
      for (Path p : r.files()) files.add(new Listed(p.toString(), Files.size(p)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the size of an input file: " + e.getMessage(), e);
    }
    local.clear();
  }

  /** A URI's files: a glob's matches, a folder's files (recursively), sorted; hidden files ({@code .x}, {@code _x}) skipped. */
  private static List<Listed> listUri(String uri, Configuration conf) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    try {
      FileSystem fs = p.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException("Cannot open input " + uri + ": no such file or folder, or the glob matches no file");
      }
      List<Listed> out = new ArrayList<>();
      for (FileStatus m : matches) {
        if (m.isFile()) {
          out.add(new Listed(m.getPath().toString(), m.getLen()));
          continue;
        }
        List<Listed> inDir = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          String name = f.getPath().getName();
          if (!name.startsWith(".") && !name.startsWith("_")) inDir.add(new Listed(f.getPath().toString(), f.getLen()));
        }
        inDir.sort(java.util.Comparator.comparing(Listed::name));
        out.addAll(inDir);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list input " + uri + ": " + e.getMessage(), e);
    }
  }

  static boolean isParquet(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".parquet");
  }

  /** The documents of one input file with what the reader met on the way. */
  interface Reader extends CloseableIterator<Document> {
    InputProblems problems();

    /** Uncompressed bytes read (UTF-8 bytes of the texts for Parquet). */
    long bytesRead();
  }

  /**
   * Where a task finds input file {@code name}: a local path made absolute on the driver (an
   * executor runs in a folder of its own), a URI as it is.
   */
  static String location(String name) {
    return isUri(name) ? name : Path.of(name).toAbsolutePath().toString();
  }

  /** Opens the input file at {@code location} (see {@link #location}) in a task; its documents are named after {@code name}. */
  static Reader open(String location, String name, ReaderOptions options, Configuration conf) {
    if (isParquet(name)) return new ParquetInput(hadoopPath(location), name, options, conf);
    InputStream in;
    try {
      in = isUri(location) ? hadoopPath(location).getFileSystem(conf).open(hadoopPath(location)) : Files.newInputStream(Path.of(location));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot open input " + name + ": " + e, e);
    }
    CorpusReader r = Corpus.read(name, in, options);
    return new Reader() {
      @Override
      public boolean hasNext() {
        return r.hasNext();
      }

      @Override
      public Document next() {
        return r.next();
      }

      @Override
      public InputProblems problems() {
        return r.problems();
      }

      @Override
      public long bytesRead() {
        return r.bytesRead();
      }

      @Override
      public void close() {
        r.close();
      }
    };
  }

  /** An absolute local path as a Hadoop path of the local file system, a URI as it is. */
  private static org.apache.hadoop.fs.Path hadoopPath(String location) {
    return isUri(location) ? new org.apache.hadoop.fs.Path(location) : new org.apache.hadoop.fs.Path(Path.of(location).toUri());
  }

  /** The driver's Hadoop settings as bytes for the tasks (Hadoop's own Writable form). */
  static byte[] toBytes(Configuration conf) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      conf.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Configuration fromBytes(byte[] bytes) {
    Configuration conf = new Configuration(false);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      conf.readFields(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return conf;
  }
}
