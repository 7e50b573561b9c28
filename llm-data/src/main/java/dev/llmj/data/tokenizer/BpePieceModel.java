package dev.llmj.data.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Hugging Face's BPE model over the characters of a piece: each character (with {@code
 * continuing_subword_prefix} after the first and {@code end_of_word_suffix} on the last) is looked
 * up in the vocabulary, unknown ones fall back to {@code <0xNN>} byte tokens or to {@code
 * unk_token} (fused when {@code fuse_unk}), then merges apply by rank ({@link MergeTable}). With
 * {@code ignore_merges}, a piece that is itself a token is that token.
 */
final class BpePieceModel implements PieceModel {
  private static final int CACHE_PIECES = 1 << 15;
  private static final ThreadLocal<MergeTable.Scratch> SCRATCH = ThreadLocal.withInitial(MergeTable.Scratch::new);

  /** The options of a BPE model besides its vocabulary and merges. */
  record Options(String unkToken, boolean fuseUnk, boolean byteFallback, boolean ignoreMerges,
      String prefix, String suffix) {}

  private final Map<String, Integer> vocab;
  private final String[] tokens;
  private final MergeTable merges;
  private final Options options;
  private final int unkId;
  private final int[] byteIds = new int[256];
  /** The id of each byte's byte-level spelling (GPT-2's table), or -1. */
  private final int[] byteLevelIds = new int[256];
  private final PieceCache cache = new PieceCache(CACHE_PIECES);
  /** Raw (not byte-spelled) piece text to ids, for {@link #encodeBytes}. */
  private final PieceCache rawCache = new PieceCache(CACHE_PIECES);

  BpePieceModel(Map<String, Integer> vocab, String[] tokens, MergeTable merges, Options options) {
    this.vocab = vocab;
    this.tokens = tokens;
    this.merges = merges;
    this.options = options;
    this.unkId = options.unkToken() == null ? -1 : vocab.getOrDefault(options.unkToken(), -1);
    for (int b = 0; b < 256; b++) {
      byteIds[b] = vocab.getOrDefault(PieceModel.byteToken(b), -1);
      byteLevelIds[b] = vocab.getOrDefault(ByteLevel.toText(new byte[] {(byte) b}), -1);
    }
  }

  /**
   * Whether {@link #encodeBytes} gives what {@link #encode} gives on byte-level spelled pieces:
   * every byte has its token and no prefix or suffix decorates the characters.
   */
  boolean encodesBytes() {
    return java.util.Arrays.stream(byteLevelIds).allMatch(id -> id >= 0)
        && (options.prefix() == null || options.prefix().isEmpty())
        && (options.suffix() == null || options.suffix().isEmpty());
  }

  /**
   * Encodes {@code text[start, end)} as ByteLevel would spell it, straight from its UTF-8 bytes,
   * without building the spelled string; only when {@link #encodesBytes}.
   */
  void encodeBytes(String text, int start, int end, IntList out) {
    if (options.ignoreMerges()) {
      Integer id = vocab.get(ByteLevel.toText(text, start, end));
      if (id != null) {
        out.add(id);
        return;
      }
    }
    String key = end - start <= PieceCache.MAX_PIECE_CHARS ? text.substring(start, end) : null;
    if (key != null) {
      int[] hit = rawCache.get(key);
      if (hit != null) {
        out.addAll(hit);
        return;
      }
    }
    MergeTable.Scratch s = SCRATCH.get();
    byte[] bytes = s.bytes(Utf8.maxBytes(end - start));
    int n = Utf8.encode(text, start, end, bytes);
    int[] ids = s.ids(n);
    for (int i = 0; i < n; i++) {
      ids[i] = byteLevelIds[bytes[i] & 0xFF];
    }
    int first = out.size();
    merges.merge(n, out, s);
    if (key != null) {
      rawCache.put(key, out.copyFrom(first));
    }
  }

  @Override
  public void encode(String piece, IntList out) {
    if (options.ignoreMerges()) {
      Integer id = vocab.get(piece);
      if (id != null) {
        out.add(id);
        return;
      }
    }
    boolean cacheable = piece.length() <= PieceCache.MAX_PIECE_CHARS;
    if (cacheable) {
      int[] hit = cache.get(piece);
      if (hit != null) {
        out.addAll(hit);
        return;
      }
    }
    int first = out.size();
    MergeTable.Scratch s = SCRATCH.get();
    int n = symbols(piece, s);
    merges.merge(n, out, s);
    if (cacheable) {
      cache.put(piece, out.copyFrom(first));
    }
  }

  /** Writes the initial symbol ids of a piece into {@code s.ids}; returns their count. */
  private int symbols(String piece, MergeTable.Scratch s) {
    int n = 0;
    int pendingUnk = -1; // a run of unknown characters waiting to be written (fused)
    for (int i = 0; i < piece.length(); ) {
      int end = i + Character.charCount(piece.codePointAt(i));
      String c = piece.substring(i, end);
      if (i > 0 && options.prefix() != null) {
        c = options.prefix() + c;
      }
      if (end == piece.length() && options.suffix() != null) {
        c = c + options.suffix();
      }
      i = end;
      Integer id = vocab.get(c);
      if (id != null) {
        if (pendingUnk >= 0) {
          s.ids(n + 1)[n++] = pendingUnk;
          pendingUnk = -1;
        }
        s.ids(n + 1)[n++] = id;
        continue;
      }
      if (options.byteFallback()) {
        byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
        boolean all = true;
        for (byte b : bytes) {
          all &= byteIds[b & 0xFF] >= 0;
        }
        if (all) {
          // Hugging Face writes these before a pending unknown run; kept for equal ids.
          for (byte b : bytes) {
            s.ids(n + 1)[n++] = byteIds[b & 0xFF];
          }
          continue;
        }
      }
      if (unkId < 0 && options.unkToken() != null) {
        throw new IllegalArgumentException("unk_token " + options.unkToken() + " is not in the vocabulary,"
            + " so the unknown character in \"" + piece + "\" has no id");
      }
      if (unkId >= 0) {
        if (pendingUnk >= 0 && !options.fuseUnk()) {
          s.ids(n + 1)[n++] = pendingUnk;
        }
        pendingUnk = unkId;
      }
      // no unk_token: Hugging Face drops the character
    }
    if (pendingUnk >= 0) {
      s.ids(n + 1)[n++] = pendingUnk;
    }
    return n;
  }

  @Override
  public int id(String token) {
    return vocab.getOrDefault(token, -1);
  }

  @Override
  public String token(int id) {
    return id >= 0 && id < tokens.length ? tokens[id] : null;
  }

  @Override
  public int entries() {
    return vocab.size();
  }

  @Override
  public int size() {
    return tokens.length;
  }
}
