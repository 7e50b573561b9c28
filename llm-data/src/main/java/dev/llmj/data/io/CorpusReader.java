package dev.llmj.data.io;

import dev.llmj.data.Document;
import dev.llmj.data.ProgressBar;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams documents from a list of files, one open file at a time, counting every bad line or
 * file in {@link #problems()} and moving on. A file that cannot be opened at all, and a
 * decompression bomb, stop the read with an exception. Create with {@link Corpus#read}.
 */
public final class CorpusReader implements CloseableIterator<Document> {
  /** Opens a named stream as the unit its name calls for (decompressing, untarring). */
  interface Opener {
    Unit open(String name, InputStream in) throws IOException;
  }

  private final List<Path> files;
  /** Opens the file at an index; the files themselves unless the caller opened a stream. */
  private final java.util.function.IntFunction<InputStream> streams;
  private final List<String> names;
  private final ReaderOptions options;
  private final InputProblems problems;
  private final long[] bytes = new long[1];
  private int nextFile;
  private Unit unit;
  private Document pending;
  private long documents;
  private int depth;

  CorpusReader(List<Path> files, ReaderOptions options) {
    this.files = List.copyOf(files);
    this.names = this.files.stream().map(Path::toString).toList();
    this.streams = i -> {
      try {
        return Files.newInputStream(this.files.get(i));
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot open input " + this.files.get(i) + ": " + e, e);
      }
    };
    this.options = options;
    this.problems = new InputProblems(options.strict());
  }

  /** One stream the caller opened, read as a file called {@code name}. */
  CorpusReader(String name, InputStream in, ReaderOptions options) {
    this.files = List.of();
    this.names = List.of(name);
    this.streams = i -> in;
    this.options = options;
    this.problems = new InputProblems(options.strict());
  }

  /** The files this reader goes through, after expanding folders and globs. */
  public List<Path> files() {
    return files;
  }

  public InputProblems problems() {
    return problems;
  }

  /** Uncompressed bytes read so far (for MB/s progress). */
  public long bytesRead() {
    return bytes[0];
  }

  public long documentsRead() {
    return documents;
  }

  @Override
  public boolean hasNext() {
    while (pending == null) {
      if (unit == null) {
        if (nextFile >= names.size()) return false;
        unit = openFile(nextFile++);
        if (unit == null) continue;
      }
      try {
        pending = unit.next();
      } catch (IOException | UncheckedIOException e) {
        problems.report("corrupt_input", unit.source(), unit.line(),
            JsonlUnit.firstLine(e.getMessage()) + "; the rest of the file is skipped");
        pending = null;
      } catch (RuntimeException e) {
        closeUnit();
        throw e;
      }
      if (pending == null) closeUnit();
    }
    return true;
  }

  @Override
  public Document next() {
    if (!hasNext()) throw new NoSuchElementException();
    Document d = pending;
    pending = null;
    documents++;
    return d;
  }

  /** The documents' texts, for a tokenizer trainer; advances {@code progress} by documents read. */
  public Iterator<String> texts(ProgressBar progress) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return CorpusReader.this.hasNext();
      }

      @Override
      public String next() {
        String text = CorpusReader.this.next().text();
        progress.update(documents, "");
        return text;
      }
    };
  }

  private Unit openFile(int index) {
    InputStream raw = streams.apply(index);
    String name = names.get(index);
    try {
      return open(name, raw);
    } catch (IOException e) {
      closeQuietly(raw);
      problems.report("corrupt_input", name, 0, JsonlUnit.firstLine(e.getMessage()));
      return null;
    }
  }

  private Unit open(String name, InputStream raw) throws IOException {
    ExpansionGuard guard = new ExpansionGuard(name, options.maxExpandedBytes(), options.maxExpansionRatio());
    InputStream in = Inputs.decompress(name, raw, guard);
    switch (Inputs.format(name)) {
      case TAR:
        if (depth > 0) {
          problems.report("nested_archive", name, 0, "tar inside tar is not read");
          return new TextUnit(name, InputStream.nullInputStream(), options, problems, bytes);
        }
        return new TarUnit(name, in, (entryName, entryIn) -> {
          depth++;
          try {
            return open(entryName, entryIn);
          } finally {
            depth--;
          }
        });
      case JSONL:
        return new JsonlUnit(name, in, options, problems, bytes);
      default:
        return new TextUnit(name, in, options, problems, bytes);
    }
  }

  private void closeUnit() {
    if (unit != null) {
      try {
        unit.close();
      } catch (IOException e) {
        problems.report("corrupt_input", unit.source(), unit.line(), "close failed: " + e.getMessage());
      }
      unit = null;
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // Already reporting the open failure.
    }
  }

  @Override
  public void close() {
    closeUnit();
    nextFile = names.size();
  }
}
