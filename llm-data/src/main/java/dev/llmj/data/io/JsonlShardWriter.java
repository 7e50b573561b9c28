package dev.llmj.data.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmj.data.Document;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Writes documents as JSONL shards {@code prefix-00000.jsonl[.gz|.zst]}, starting a new shard once
 * the current one holds {@code targetShardBytes} uncompressed bytes. Each line is {@code {"id",
 * "text", metadata...}} with the metadata keys sorted, so that the same documents give the same
 * bytes, readable back by {@link Corpus}.
 *
 * <pre>{@code
 * try (JsonlShardWriter out = JsonlShardWriter.create(dir, "part", 256L << 20, Compression.ZSTD)) {
 *   docs.forEachRemaining(out::accept);
 * }
 * }</pre>
 */
public final class JsonlShardWriter implements DocumentSink {
  private static final JsonFactory JSON = new JsonFactory();

  private final Path dir;
  private final String prefix;
  private final long targetShardBytes;
  private final Compression compression;
  private final List<Path> shards = new ArrayList<>();
  private CountingOutputStream counter;
  private JsonGenerator gen;
  private long documents;

  private JsonlShardWriter(Path dir, String prefix, long targetShardBytes, Compression compression) {
    this.dir = dir;
    this.prefix = prefix;
    this.targetShardBytes = targetShardBytes;
    this.compression = compression;
  }

  public static JsonlShardWriter create(Path dir, String prefix, long targetShardBytes, Compression compression) {
    if (targetShardBytes < 1) {
      throw new IllegalArgumentException("targetShardBytes=" + targetShardBytes + " must be positive");
    }
    if (prefix == null || prefix.isEmpty() || prefix.contains("/") || prefix.contains("..")) {
      throw new IllegalArgumentException("Shard prefix '" + prefix + "' must be a plain file name start");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create output folder " + dir + ": " + e.getMessage(), e);
    }
    return new JsonlShardWriter(dir, prefix, targetShardBytes, compression);
  }

  @Override
  public void accept(Document doc) {
    try {
      if (gen == null || counter.count + gen.getOutputBuffered() >= targetShardBytes) openShard();
      gen.writeStartObject();
      gen.writeStringField("id", doc.id());
      gen.writeStringField("text", doc.text());
      // Keys in sorted order: a document's metadata map iterates in an order that changes from run
      // to run (Map.copyOf), and the same input must give the same bytes.
      Map<String, String> meta = doc.metadata();
      Iterable<String> keys = meta.size() < 2 ? meta.keySet() : new java.util.TreeSet<>(meta.keySet());
      for (String k : keys) {
        if (!k.equals("id") && !k.equals("text")) gen.writeStringField(k, meta.get(k));
      }
      gen.writeEndObject();
      gen.writeRaw('\n');
      documents++;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write shard " + shards.get(shards.size() - 1) + ": " + e.getMessage(), e);
    }
  }

  private void openShard() throws IOException {
    closeShard();
    Path p = dir.resolve(String.format("%s-%05d.jsonl%s", prefix, shards.size(), compression.suffix()));
    OutputStream file = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    counter = new CountingOutputStream(compression.wrap(file));
    gen = JSON.createGenerator(counter, JsonEncoding.UTF8);
    gen.setRootValueSeparator(null);
    shards.add(p);
  }

  private void closeShard() throws IOException {
    if (gen != null) {
      gen.close();
      gen = null;
    }
  }

  /** Shards written so far, in order. */
  public List<Path> shards() {
    return Collections.unmodifiableList(shards);
  }

  public long documents() {
    return documents;
  }

  @Override
  public void close() {
    try {
      closeShard();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close shard in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
