package dev.llmj.data.shard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The on-disk layout of one token shard: a fixed little-endian header followed by the raw tokens.
 *
 * <pre>
 * offset size field
 *      0    8 magic "LLMJTOK\0"
 *      8    4 format version (1)
 *     12    4 header length in bytes (64; readers skip to it, so later versions may grow it)
 *     16    4 dtype code: 1 = uint16, 2 = uint32
 *     20    4 vocabulary size
 *     24    8 token count
 *     32    8 document count (documents whose end-of-text token lies in this shard)
 *     40    4 end-of-text id, or 0xFFFFFFFF when none
 *     44   20 reserved, zero
 *     64    . tokens, token count x dtype width
 * </pre>
 */
final class ShardFormat {
  static final byte[] MAGIC = "LLMJTOK\0".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER_BYTES = 64;
  static final int NO_EOT = -1;
  /** Largest vocabulary whose ids fit an unsigned 16-bit token. */
  static final int UINT16_MAX_VOCAB = 1 << 16;

  private ShardFormat() {}

  /** Token storage width; chosen by vocabulary size so that shards stay as small as possible. */
  enum Dtype {
    UINT16(1, 2),
    UINT32(2, 4);

    final int code;
    final int bytes;

    Dtype(int code, int bytes) {
      this.code = code;
      this.bytes = bytes;
    }

    static Dtype forVocab(int vocabSize) {
      return vocabSize <= UINT16_MAX_VOCAB ? UINT16 : UINT32;
    }

    static Dtype fromCode(int code, Path file) {
      for (Dtype d : values()) {
        if (d.code == code) {
          return d;
        }
      }
      throw new IllegalArgumentException(file + ": header field 'dtype' is " + code
          + ", expected 1 (uint16) or 2 (uint32); the file is corrupt or from a newer writer");
    }
  }

  /** The decoded header of one shard file. */
  record Header(int version, int headerBytes, Dtype dtype, int vocabSize, long tokenCount,
      long documentCount, int eotId) {

    ByteBuffer encode() {
      ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.put(MAGIC).putInt(version).putInt(headerBytes).putInt(dtype.code).putInt(vocabSize)
          .putLong(tokenCount).putLong(documentCount).putInt(eotId);
      b.position(0);
      return b;
    }

    /**
     * Parses and checks a header against the length of the file it came from; every failure names
     * the file, the field, the value found and the value expected.
     */
    static Header decode(ByteBuffer raw, long fileBytes, Path file) {
      if (fileBytes < HEADER_BYTES) {
        throw new IllegalArgumentException(file + ": truncated header: file has " + fileBytes
            + " bytes, a shard header needs " + HEADER_BYTES);
      }
      ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + ": header field 'magic' is "
            + printable(magic) + ", expected " + printable(MAGIC) + "; not an llmj token shard");
      }
      int version = b.getInt();
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": header field 'version' is " + version
            + ", expected " + VERSION + "; written by an incompatible llmj version");
      }
      int headerBytes = b.getInt();
      if (headerBytes < HEADER_BYTES || headerBytes % 8 != 0 || headerBytes > fileBytes) {
        throw new IllegalArgumentException(file + ": header field 'header length' is "
            + headerBytes + ", expected a multiple of 8 between " + HEADER_BYTES + " and the file"
            + " length " + fileBytes);
      }
      Dtype dtype = Dtype.fromCode(b.getInt(), file);
      int vocab = b.getInt();
      if (vocab <= 0) {
        throw new IllegalArgumentException(file + ": header field 'vocab size' is "
            + Integer.toUnsignedString(vocab) + ", expected 1.." + Integer.MAX_VALUE);
      }
      if (dtype == Dtype.UINT16 && vocab > UINT16_MAX_VOCAB) {
        throw new IllegalArgumentException(file + ": header field 'vocab size' is " + vocab
            + ", expected at most " + UINT16_MAX_VOCAB + " for dtype uint16");
      }
      long tokens = b.getLong();
      long docs = b.getLong();
      int eot = b.getInt();
      long payload = fileBytes - headerBytes;
      if (tokens < 0 || tokens > payload / dtype.bytes) {
        throw new IllegalArgumentException(file + ": header field 'token count' is "
            + Long.toUnsignedString(tokens) + " but the file holds only " + payload / dtype.bytes
            + " " + dtype.name().toLowerCase() + " tokens (" + fileBytes
            + " bytes); the file is truncated");
      }
      if (tokens * dtype.bytes != payload) {
        throw new IllegalArgumentException(file + ": header field 'token count' is " + tokens
            + " but the file length " + fileBytes + " leaves " + (payload - tokens * dtype.bytes)
            + " bytes after the last token; expected exactly " + (headerBytes + tokens * dtype.bytes)
            + " bytes (the file has trailing data)");
      }
      if (docs < 0 || docs > tokens) {
        throw new IllegalArgumentException(file + ": header field 'document count' is "
            + Long.toUnsignedString(docs) + ", expected 0.." + tokens + " (the token count)");
      }
      if (eot != NO_EOT && (eot < 0 || eot >= vocab)) {
        throw new IllegalArgumentException(file + ": header field 'eot id' is " + eot
            + ", expected 0.." + (vocab - 1) + " (below the vocab size) or none");
      }
      return new Header(version, headerBytes, dtype, vocab, tokens, docs, eot);
    }
  }

  private static String printable(byte[] bytes) {
    StringBuilder s = new StringBuilder("\"");
    for (byte x : bytes) {
      int c = x & 0xFF;
      s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return s.append('"').toString();
  }
}
