package dev.llmj.data.shard;

import dev.llmj.data.shard.ShardFormat.Dtype;
import dev.llmj.data.shard.ShardFormat.Header;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Random access to the tokens of one shard file through memory mapping; the header is checked on
 * open, the tokens on {@link #validate()}. Shards above 2 GB are mapped as several buffers, since
 * one Java buffer addresses at most 2^31 bytes. Safe for concurrent reads.
 *
 * <pre>{@code
 * ShardReader shard = ShardReader.open(Path.of("shards/shard-00000.bin"));
 * shard.validate();                        // every token below the vocab size
 * int[] first = shard.read(0, 1024);       // 1024 tokens from position 0
 * }</pre>
 */
public final class ShardReader {
  /** Mapping granularity: a multiple of every dtype width, well below the 2^31 buffer limit. */
  static final long DEFAULT_CHUNK_BYTES = 1L << 30;

  private final Path file;
  private final Header header;
  private final MappedByteBuffer[] chunks;
  private final long chunkBytes;
  private final int shift;

  private ShardReader(Path file, Header header, MappedByteBuffer[] chunks, long chunkBytes) {
    this.file = file;
    this.header = header;
    this.chunks = chunks;
    this.chunkBytes = chunkBytes;
    this.shift = header.dtype() == Dtype.UINT16 ? 1 : 2;
  }

  /** Maps a shard and checks its header; a malformed file gives an error naming the field. */
  public static ShardReader open(Path file) {
    return open(file, DEFAULT_CHUNK_BYTES);
  }

  /** As {@link #open(Path)} with a chosen mapping chunk size (a multiple of 4), to test chunking. */
  static ShardReader open(Path file, long chunkBytes) {
    if (chunkBytes <= 0 || chunkBytes % 4 != 0 || chunkBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("chunkBytes is " + chunkBytes
          + ", expected a positive multiple of 4 below 2^31");
    }
    // The mapping outlives the channel, so the file handle is released right away.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer raw = ByteBuffer.allocate(ShardFormat.HEADER_BYTES);
      while (raw.hasRemaining() && ch.read(raw, raw.position()) > 0) {
        // read fully; a short file ends the loop and the size check reports it
      }
      raw.flip();
      Header header = Header.decode(raw, size, file);
      long payload = header.tokenCount() * header.dtype().bytes;
      int n = Math.toIntExact((payload + chunkBytes - 1) / chunkBytes);
      MappedByteBuffer[] chunks = new MappedByteBuffer[n];
      for (int k = 0; k < n; k++) {
        long start = (long) k * chunkBytes;
        long len = Math.min(chunkBytes, payload - start);
        chunks[k] = ch.map(FileChannel.MapMode.READ_ONLY, header.headerBytes() + start, len);
        chunks[k].order(ByteOrder.LITTLE_ENDIAN);
      }
      return new ShardReader(file, header, chunks, chunkBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("opening shard " + file, e);
    }
  }

  public Path file() {
    return file;
  }

  /** Number of tokens in this shard. */
  public long size() {
    return header.tokenCount();
  }

  public int vocabSize() {
    return header.vocabSize();
  }

  /** The end-of-text id recorded by the writer, or -1. */
  public int eotId() {
    return header.eotId();
  }

  /** Documents whose end-of-text token lies in this shard. */
  public long documentCount() {
    return header.documentCount();
  }

  /** Bytes per token: 2 (uint16) or 4 (uint32). */
  public int tokenBytes() {
    return header.dtype().bytes;
  }

  /** The token at position {@code i}. */
  public int token(long i) {
    Objects.checkIndex(i, size());
    long byteOffset = i << shift;
    ByteBuffer b = chunks[(int) (byteOffset / chunkBytes)];
    int p = (int) (byteOffset % chunkBytes);
    return shift == 1 ? b.getShort(p) & 0xFFFF : b.getInt(p);
  }

  /** Reads {@code length} tokens from position {@code start} into a new array. */
  public int[] read(long start, int length) {
    int[] out = new int[length];
    read(start, out, 0, length);
    return out;
  }

  /** Reads {@code length} tokens from position {@code start} into {@code dst[offset..]}. */
  public void read(long start, int[] dst, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, dst.length);
    Objects.checkFromIndexSize(start, length, size());
    long byteOffset = start << shift;
    int o = offset;
    int end = offset + length;
    while (o < end) {
      ByteBuffer b = chunks[(int) (byteOffset / chunkBytes)];
      int p = (int) (byteOffset % chunkBytes);
      int n = Math.min(end - o, (b.limit() - p) >> shift);
      if (shift == 1) {
        for (int j = 0; j < n; j++, p += 2) {
          dst[o + j] = b.getShort(p) & 0xFFFF;
        }
      } else {
        for (int j = 0; j < n; j++, p += 4) {
          dst[o + j] = b.getInt(p);
        }
      }
      o += n;
      byteOffset += (long) n << shift;
    }
  }

  /**
   * Checks that every token is below the vocabulary size; the error names the file and the
   * position of the first offending token.
   */
  public void validate() {
    int vocab = vocabSize();
    int[] buf = new int[1 << 16];
    for (long start = 0; start < size(); start += buf.length) {
      int n = (int) Math.min(buf.length, size() - start);
      read(start, buf, 0, n);
      for (int j = 0; j < n; j++) {
        if (buf[j] < 0 || buf[j] >= vocab) {
          throw new IllegalArgumentException(file + ": token " + Integer.toUnsignedString(buf[j])
              + " at position " + (start + j) + " is not below the vocab size " + vocab);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ShardReader[" + file + ", " + size() + " tokens, " + header.dtype() + "]";
  }
}
