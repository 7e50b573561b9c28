package dev.llmj.data.pipeline;

/**
 * Fast non-cryptographic hashing of text ranges for dedup. A 128-bit hash fed one char at a time
 * (two 64-bit lanes mixed together, finished with a full avalanche), plus the 64-bit finaliser.
 */
final class Hashing {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Hashing() {}

  /** Full-avalanche 64-bit mix: every input bit flips each output bit with probability ~1/2. */
  static long mix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** 64-bit hash of {@code s[from, to)}. */
  static long hash64(String s, int from, int to, long seed) {
    Hasher h = new Hasher(seed);
    for (int i = from; i < to; i++) h.add(s.charAt(i));
    return h.finish64();
  }

  /**
   * {@link #hash64(String, int, int, long)} of {@code c[from, to)}: the same value for the same chars,
   * taking whole blocks of four chars at a time where {@link Hasher#add} packs them one by one.
   */
  static long hash64(char[] c, int from, int to, long seed) {
    return new Hasher(seed).addAll(c, from, to).finish64();
  }

  /** Streaming 128-bit hasher over chars; packs four chars per 64-bit block. */
  static final class Hasher {
    private long h1;
    private long h2;
    private long block;
    private int inBlock;
    private long length;
    long lo;
    long hi;

    Hasher(long seed) {
      reset(seed);
    }

    /** Starts a new hash, as a fresh {@code new Hasher(seed)} would. */
    Hasher reset(long seed) {
      h1 = seed;
      h2 = ~seed;
      block = 0;
      inBlock = 0;
      length = 0;
      return this;
    }

    void add(char c) {
      block = (block << 16) | c;
      length++;
      if (++inBlock == 4) {
        mixBlock(block);
        block = 0;
        inBlock = 0;
      }
    }

    /** {@link #add} of each char of {@code c[from, to)}, whole blocks of four at a time. */
    Hasher addAll(char[] c, int from, int to) {
      int i = from;
      while (i < to && inBlock != 0) add(c[i++]);
      int blocks = (to - i) >>> 2;
      for (int b = 0; b < blocks; b++, i += 4) {
        mixBlock((long) c[i] << 48 | (long) c[i + 1] << 32 | (long) c[i + 2] << 16 | c[i + 3]);
      }
      length += 4L * blocks;
      while (i < to) add(c[i++]);
      return this;
    }

    private void mixBlock(long k) {
      long k1 = Long.rotateLeft(k * C1, 31) * C2;
      h1 = (Long.rotateLeft(h1 ^ k1, 27) + h2) * 5 + 0x52dce729;
      long k2 = Long.rotateLeft(k * C2, 33) * C1;
      h2 = (Long.rotateLeft(h2 ^ k2, 31) + h1) * 5 + 0x38495ab5;
    }

    /** Finishes; the result is in {@link #lo} and {@link #hi}. */
    void finish() {
      if (inBlock > 0) mixBlock(block | ((long) inBlock << 62));
      h1 ^= length;
      h2 ^= length;
      h1 += h2;
      h2 += h1;
      h1 = mix64(h1);
      h2 = mix64(h2);
      h1 += h2;
      h2 += h1;
      lo = h1;
      hi = h2;
    }

    long finish64() {
      finish();
      return lo;
    }
  }
}
