package dev.llmj.data.shard;

import dev.llmj.data.io.AtomicFiles;
import dev.llmj.data.shard.ShardFormat.Dtype;
import dev.llmj.data.shard.ShardFormat.Header;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a token stream into a directory of shards {@code shard-00000.bin, shard-00001.bin, ...}
 * of {@link Config#tokensPerShard()} tokens each (the last one shorter), then {@code index.json}.
 * Each shard is written under a temporary name, fsynced and renamed; the index is written last, so
 * a directory with an index is complete. Closing without {@link #finish()} abandons the write and
 * leaves no index. Documents may span two shards: readers see one concatenated stream.
 *
 * <pre>{@code
 * try (ShardWriter w = ShardWriter.create(dir, ShardWriter.Config.of(tok.vocabSize(), tok.endOfTextId()))) {
 *   for (String text : texts) {
 *     w.writeDocument(tok.encode(text));    // the tokens, then the end-of-text id
 *   }
 *   ShardIndex index = w.finish();
 * }
 * }</pre>
 */
public final class ShardWriter implements Closeable {
  private static final int BUFFER_BYTES = 1 << 20;

  /**
   * @param vocabSize number of token ids; decides the dtype (uint16 up to 65536, else uint32)
   * @param eotId the end-of-text id appended by {@link #writeDocument}, or -1 for none
   * @param tokensPerShard shard size; 100M tokens (200 MB as uint16) keeps file counts small
   *     while a shard still fits comfortably in the page cache
   * @param tokenizerHash identifies the tokenizer in {@code index.json}, or null
   */
  public record Config(int vocabSize, int eotId, long tokensPerShard, String tokenizerHash) {
    public static final long DEFAULT_TOKENS_PER_SHARD = 100_000_000L;

    public Config {
      if (vocabSize <= 0) {
        throw new IllegalArgumentException("vocabSize is " + vocabSize + ", expected > 0");
      }
      if (eotId < -1 || eotId >= vocabSize) {
        throw new IllegalArgumentException("eotId is " + eotId + ", expected -1 (none) or 0.."
            + (vocabSize - 1) + " (below vocabSize " + vocabSize + ")");
      }
      if (tokensPerShard <= 0) {
        throw new IllegalArgumentException("tokensPerShard is " + tokensPerShard
            + ", expected > 0 (default " + DEFAULT_TOKENS_PER_SHARD + ")");
      }
    }

    public static Config of(int vocabSize, int eotId) {
      return new Config(vocabSize, eotId, DEFAULT_TOKENS_PER_SHARD, null);
    }

    public Config withTokensPerShard(long n) {
      return new Config(vocabSize, eotId, n, tokenizerHash);
    }

    public Config withTokenizerHash(String hash) {
      return new Config(vocabSize, eotId, tokensPerShard, hash);
    }
  }

  private final Path dir;
  private final Config config;
  private final Dtype dtype;
  private final ByteBuffer buffer;
  private final List<ShardIndex.Entry> done = new ArrayList<>();
  private FileChannel channel;
  private Path tempFile;
  private long shardTokens;
  private long shardDocuments;
  private boolean closed;

  private ShardWriter(Path dir, Config config) {
    this.dir = dir;
    this.config = config;
    this.dtype = Dtype.forVocab(config.vocabSize());
    this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Opens a writer into {@code dir}, creating it if needed. Refuses a directory that already holds
   * shards, since mixing two runs would silently corrupt the stream.
   */
  public static ShardWriter create(Path dir, Config config) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        List<String> old = files.map(p -> p.getFileName().toString())
            .filter(n -> n.equals(ShardIndex.FILE_NAME) || n.matches("shard-\\d+\\.bin"))
            .sorted().limit(3).toList();
        if (!old.isEmpty()) {
          throw new IllegalArgumentException(dir + " already holds token shards " + old
              + "; delete them or write to another directory");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("preparing shard directory " + dir, e);
    }
    return new ShardWriter(dir, config);
  }

  /** The file name of shard {@code i}. */
  static String shardName(int i) {
    return String.format("shard-%05d.bin", i);
  }

  /** Appends tokens; each must be in {@code [0, vocabSize)}. */
  public void write(int[] tokens, int offset, int length) {
    checkOpen();
    Objects.checkFromIndexSize(offset, length, tokens.length);
    // Checked before anything is written, so a bad document leaves the stream untouched.
    for (int i = offset; i < offset + length; i++) {
      int t = tokens[i];
      if (t < 0 || t >= config.vocabSize()) {
        throw new IllegalArgumentException("token " + t + " at index " + i
            + " is outside the vocabulary 0.." + (config.vocabSize() - 1));
      }
    }
    for (int i = offset; i < offset + length; i++) {
      put(tokens[i]);
    }
  }

  /** Appends one document: its tokens, then the end-of-text id, and counts it. */
  public void writeDocument(int[] tokens) {
    if (config.eotId() < 0) {
      throw new IllegalStateException("writeDocument needs an end-of-text id; Config.eotId is -1");
    }
    write(tokens, 0, tokens.length);
    put(config.eotId());
    shardDocuments++;
  }

  /** Tokens written so far, over all shards. */
  public long tokensWritten() {
    return done.stream().mapToLong(ShardIndex.Entry::tokens).sum() + shardTokens;
  }

  /** Publishes the last shard and {@code index.json}; returns the index. */
  public ShardIndex finish() {
    checkOpen();
    boolean published = false;
    try {
      if (channel != null) {
        finishShard();
      }
      ShardIndex index = new ShardIndex(config.vocabSize(), config.eotId(), config.tokenizerHash(),
          done);
      index.write(dir);
      published = true;
      return index;
    } finally {
      if (!published) {
        close();
      }
      closed = true;
    }
  }

  /** Abandons an unfinished write: deletes the partial shard and writes no index. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (channel != null) {
        channel.close();
        Files.deleteIfExists(tempFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("abandoning " + tempFile, e);
    }
  }

  private void put(int token) {
    if (channel == null) {
      startShard();
    } else if (shardTokens == config.tokensPerShard()) {
      // Rolling over only when the next token arrives avoids an empty trailing shard.
      finishShard();
      startShard();
    }
    if (buffer.remaining() < dtype.bytes) {
      flush();
    }
    if (dtype == Dtype.UINT16) {
      buffer.putShort((short) token);
    } else {
      buffer.putInt(token);
    }
    shardTokens++;
  }

  private void startShard() {
    Path target = dir.resolve(shardName(done.size()));
    tempFile = AtomicFiles.tempSibling(target);
    try {
      channel = FileChannel.open(tempFile, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      channel.position(ShardFormat.HEADER_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + tempFile, e);
    }
    shardTokens = 0;
    shardDocuments = 0;
  }

  private void finishShard() {
    String name = shardName(done.size());
    Header header = new Header(ShardFormat.VERSION, ShardFormat.HEADER_BYTES, dtype,
        config.vocabSize(), shardTokens, shardDocuments,
        config.eotId() < 0 ? ShardFormat.NO_EOT : config.eotId());
    try {
      flush();
      ByteBuffer h = header.encode();
      long pos = 0;
      while (h.hasRemaining()) {
        pos += channel.write(h, pos);
      }
      channel.force(true);
      channel.close();
      AtomicFiles.publish(tempFile, dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("finishing " + tempFile, e);
    }
    channel = null;
    done.add(new ShardIndex.Entry(name, shardTokens, shardDocuments));
  }

  private void flush() {
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + tempFile, e);
    }
    buffer.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("ShardWriter for " + dir + " is already finished or closed");
    }
  }
}
