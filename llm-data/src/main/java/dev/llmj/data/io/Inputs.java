package dev.llmj.data.io;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** Expands folders and globs into files and opens a file through its decompressor. */
final class Inputs {
  enum Format { JSONL, TEXT, TAR }

  private Inputs() {}

  /** Files named by {@code inputs}, each folder walked and each glob matched, in sorted order. */
  static List<Path> expand(List<Path> inputs) {
    List<Path> files = new ArrayList<>();
    for (Path input : inputs) {
      String s = input.toString();
      if (isGlob(s)) {
        files.addAll(glob(s));
      } else if (Files.isDirectory(input)) {
        files.addAll(walk(input, p -> true));
      } else if (Files.isRegularFile(input)) {
        files.add(input);
      } else {
        throw new IllegalArgumentException("Cannot open input " + input + ": no such file or folder");
      }
    }
    return files;
  }

  private static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static List<Path> glob(String pattern) {
    // The folder to walk is the part of the pattern before its first wildcard segment.
    String sep = FileSystems.getDefault().getSeparator();
    String[] parts = pattern.split(java.util.regex.Pattern.quote(sep), -1);
    StringBuilder base = new StringBuilder();
    for (int i = 0; i < parts.length - 1 && !isGlob(parts[i]); i++) {
      base.append(parts[i]).append(sep);
    }
    Path root = Path.of(base.length() == 0 ? "." : base.toString());
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    Path rootForMatch = base.length() == 0 ? null : root;
    List<Path> hits = Files.isDirectory(root)
        ? walk(root, p -> m.matches(rootForMatch == null ? root.relativize(p) : p))
        : List.of();
    if (hits.isEmpty()) {
      throw new IllegalArgumentException("Cannot open input " + pattern + ": the glob matches no file");
    }
    return hits;
  }

  private static List<Path> walk(Path dir, java.util.function.Predicate<Path> keep) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(keep)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot walk input folder " + dir + ": " + e.getMessage(), e);
    }
  }

  static String stripCompression(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".gz", ".bz2", ".xz", ".zst", ".zstd"}) {
      if (n.endsWith(ext)) return n.substring(0, n.length() - ext.length());
    }
    return n.endsWith(".tgz") ? n.substring(0, n.length() - 4) + ".tar" : n;
  }

  static Format format(String name) {
    String n = stripCompression(name);
    if (n.endsWith(".tar")) return Format.TAR;
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) return Format.JSONL;
    return Format.TEXT;
  }

  /** Wraps {@code raw} in the decompressor its name asks for, guarded against expansion bombs. */
  static InputStream decompress(String name, InputStream raw, ExpansionGuard guard) throws IOException {
    String n = name.toLowerCase(Locale.ROOT);
    InputStream counted = new BufferedInputStream(guard.countCompressed(raw), 1 << 16);
    InputStream d;
    if (n.endsWith(".gz") || n.endsWith(".tgz")) {
      d = new GZIPInputStream(counted, 1 << 16);
    } else if (n.endsWith(".bz2")) {
      d = new BZip2CompressorInputStream(counted, true);
    } else if (n.endsWith(".xz")) {
      d = new XZCompressorInputStream(counted, true);
    } else if (n.endsWith(".zst") || n.endsWith(".zstd")) {
      d = new ZstdInputStream(counted);
    } else {
      return counted;
    }
    return guard.limitExpanded(d);
  }
}
