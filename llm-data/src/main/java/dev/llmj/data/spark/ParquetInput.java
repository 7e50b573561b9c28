package dev.llmj.data.spark;

import dev.llmj.data.Document;
import dev.llmj.data.io.InputProblems;
import dev.llmj.data.io.ReaderOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;

/**
 * Reads a Parquet file with a text column (as FineWeb and most web corpora ship) row by row: the
 * text from {@link ReaderOptions#textField()}, the id from {@link ReaderOptions#idField()} when the
 * file has it (else {@code file:row}), every other non-null scalar column as metadata, and
 * {@code source} and {@code line} (the 1-based row) as the JSONL reader adds them. A row whose
 * text is null or blank is counted as a problem with its row, like a bad JSONL line.
 */
final class ParquetInput implements InputFiles.Reader {
  private final String name;
  private final ReaderOptions options;
  private final InputProblems problems;
  private final ParquetReader<Group> reader;
  private Document pending;
  private long row;
  private long bytes;
  private boolean done;

  ParquetInput(Path path, String name, ReaderOptions options, Configuration conf) {
    this.name = name;
    this.options = options;
    this.problems = new InputProblems(options.strict());
    try {
      this.reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot open Parquet input " + name + ": " + e, e);
    }
  }

  @Override
  public boolean hasNext() {
    while (pending == null && !done) {
      Group g;
      try {
        g = reader.read();
      } catch (IOException | RuntimeException e) {
        problems.report("corrupt_input", name, row + 1, firstLine(e.getMessage()) + "; the rest of the file is skipped");
        g = null;
      }
      if (g == null) {
        done = true;
        close();
        return false;
      }
      row++;
      pending = document(g);
    }
    return pending != null;
  }

  private Document document(Group g) {
    GroupType type = g.getType();
    if (!type.containsField(options.textField())) {
      throw new IllegalArgumentException("Parquet input " + name + " has no column '" + options.textField() + "'; its columns are "
          + type.getFields().stream().map(f -> f.getName()).toList() + "; set reader.textField to the text column");
    }
    String text = null;
    String id = null;
    Map<String, String> meta = new HashMap<>();
    for (int i = 0; i < type.getFieldCount(); i++) {
      if (!type.getType(i).isPrimitive() || g.getFieldRepetitionCount(i) == 0) continue;
      String field = type.getFieldName(i);
      String value = g.getValueToString(i, 0);
      if (field.equals(options.textField())) {
        text = value;
      } else {
        if (field.equals(options.idField())) id = value;
        meta.put(field, value);
      }
    }
    if (text == null) {
      problems.report("missing_text_field", name, row, "column '" + options.textField() + "' is null in this row");
      return null;
    }
    if (text.isBlank()) {
      problems.report("empty_document", name, row, "column '" + options.textField() + "' is empty");
      return null;
    }
    bytes += text.getBytes(StandardCharsets.UTF_8).length;
    meta.put("source", name);
    meta.put("line", Long.toString(row));
    return new Document(id != null ? id : name + ":" + row, text, meta);
  }

  private static String firstLine(String msg) {
    if (msg == null) return "unreadable";
    int i = msg.indexOf('\n');
    return i < 0 ? msg : msg.substring(0, i);
  }

  @Override
  public Document next() {
    if (!hasNext()) throw new NoSuchElementException();
    Document d = pending;
    pending = null;
    return d;
  }

  @Override
  public InputProblems problems() {
    return problems;
  }

  @Override
  public long bytesRead() {
    return bytes;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close Parquet input " + name + ": " + e.getMessage(), e);
    }
  }
}
