package dev.llmj.data.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer (the GPT-2 family) as a pipeline: normalizer, pre-tokenizer, BPE
 * model, byte-level decoder. Immutable and safe to share between threads.
 *
 * <p>Encoding is lossless: {@code decode(encode(s)).equals(s)} for every string, except that an
 * unpaired surrogate (not valid UTF-16, so it has no UTF-8 form) comes back as U+FFFD.
 *
 * <pre>{@code
 * BpeTokenizer tok = Tokenizers.gpt2();
 * int[] ids = tok.encode("Hello world");                        // [15496, 995]
 * List<int[]> batch = tok.encodeBatch(List.of("a", "b"));       // all cores, input order
 * tok.encodeAll(documents.iterator(), 4, ids -> shard.write(ids)); // streaming, bounded memory
 * tok.save(Path.of("tokenizer.json"));                          // Hugging Face format
 * }</pre>
 */
public final class BpeTokenizer implements Tokenizer {
  private static final int CACHE_PIECES = 1 << 15;

  private final Normalizer normalizer;
  private final PreTokenizer preTokenizer;
  private final BpeModel model;
  private final SpecialTokens specials;
  private final byte[][] decodeTable;
  private final PieceCache cache = new PieceCache(CACHE_PIECES);

  BpeTokenizer(Normalizer normalizer, PreTokenizer preTokenizer, BpeModel model, SpecialTokens specials) {
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.model = model;
    this.specials = specials;
    int size = model.size();
    for (int i = 0; i < specials.size(); i++) {
      size = Math.max(size, specials.id(i) + 1);
    }
    decodeTable = new byte[size][];
    for (int id = 0; id < model.size(); id++) {
      decodeTable[id] = model.bytes(id);
    }
    for (int i = 0; i < specials.size(); i++) {
      int id = specials.id(i);
      if (decodeTable[id] != null && id < model.size()) {
        throw new IllegalArgumentException("special token " + specials.content(i) + " has id " + id
            + ", which is already the BPE token \"" + ByteLevel.toText(decodeTable[id]) + "\"");
      }
      decodeTable[id] = specials.content(i).getBytes(StandardCharsets.UTF_8);
    }
  }

  Normalizer normalizer() {
    return normalizer;
  }

  PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  BpeModel model() {
    return model;
  }

  SpecialTokens specials() {
    return specials;
  }

  @Override
  public int[] encode(String text, boolean allowSpecialTokens) {
    String s = normalizer.apply(text);
    IntList out = new IntList(s.length() / 4 + 16);
    MergeTable.Scratch scratch = new MergeTable.Scratch();
    if (!allowSpecialTokens || specials.isEmpty()) {
      encodeOrdinary(s, 0, s.length(), out, scratch);
      return out.toArray();
    }
    SpecialTokens.Scan scan = specials.new Scan(s);
    int pos = 0;
    while (scan.find(pos)) {
      encodeOrdinary(s, pos, scan.start, out, scratch);
      out.add(scan.id());
      pos = scan.end();
    }
    encodeOrdinary(s, pos, s.length(), out, scratch);
    return out.toArray();
  }

  private void encodeOrdinary(String s, int from, int to, IntList out, MergeTable.Scratch scratch) {
    if (preTokenizer instanceof ScannedPreTokenizer scanner) {
      // The common case, inlined: no callback per piece.
      for (int i = from; i < to; ) {
        int end = scanner.next(s, i, to);
        encodePiece(s, i, end, out, scratch);
        i = end;
      }
    } else {
      preTokenizer.split(s, from, to, (start, end) -> encodePiece(s, start, end, out, scratch));
    }
  }

  private void encodePiece(String s, int start, int end, IntList out, MergeTable.Scratch scratch) {
    int len = end - start;
    if (len == 1 && s.charAt(start) < 0x80) {
      out.add(model.byteId(s.charAt(start)));
      return;
    }
    String key = len <= PieceCache.MAX_PIECE_CHARS ? s.substring(start, end) : null;
    if (key != null) {
      int[] hit = cache.get(key);
      if (hit != null) {
        out.addAll(hit);
        return;
      }
    }
    byte[] bytes = scratch.bytes(Utf8.maxBytes(len));
    int n = Utf8.encode(s, start, end, bytes);
    int first = out.size();
    model.encode(bytes, n, out, scratch);
    if (key != null) {
      cache.put(key, out.copyFrom(first));
    }
  }

  @Override
  public String decode(int[] ids) {
    int total = 0;
    for (int id : ids) {
      total += tokenBytes(id).length;
    }
    byte[] out = new byte[total];
    int n = 0;
    for (int id : ids) {
      byte[] b = decodeTable[id];
      System.arraycopy(b, 0, out, n, b.length);
      n += b.length;
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private byte[] tokenBytes(int id) {
    byte[] b = id >= 0 && id < decodeTable.length ? decodeTable[id] : null;
    if (b == null) {
      throw unknownId(id, decodeTable.length);
    }
    return b;
  }

  static IllegalArgumentException unknownId(int id, int size) {
    return new IllegalArgumentException("unknown token id " + id + "; this vocabulary has size " + size
        + " (ids 0.." + (size - 1) + (id >= 0 && id < size ? ", with gaps" : "") + ")");
  }

  @Override
  public int vocabSize() {
    return decodeTable.length;
  }

  @Override
  public OptionalInt specialTokenId(String token) {
    return specials.idOf(token);
  }

  @Override
  public List<String> specialTokens() {
    return specials.contents();
  }

  /** Writes this tokenizer as a Hugging Face {@code tokenizer.json}. */
  public void save(Path file) throws IOException {
    TokenizerJson.write(this, file);
  }

  @Override
  public String toString() {
    return "BpeTokenizer[vocab=" + vocabSize() + ", merges=" + model.mergeCount()
        + ", special=" + specials.contents() + "]";
  }
}
