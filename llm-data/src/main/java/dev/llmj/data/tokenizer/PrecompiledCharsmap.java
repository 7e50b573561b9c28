package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.Base64;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * SentencePiece's precompiled normalization map (Hugging Face's {@code Precompiled} normalizer,
 * from T5, ALBERT and other SentencePiece models): a little-endian {@code u32} byte size, a
 * darts-clone double-array trie over UTF-8 keys, then the replacement strings, NUL-terminated.
 * Each grapheme shorter than 6 UTF-8 bytes is looked up whole; otherwise, or if it has no entry,
 * each of its characters is looked up on its own; what has no entry stays as it is.
 */
final class PrecompiledCharsmap implements UnaryOperator<String> {
  private final int[] units;
  private final byte[] normalized;

  private PrecompiledCharsmap(int[] units, byte[] normalized) {
    this.units = units;
    this.normalized = normalized;
  }

  /** Parses {@code precompiled_charsmap} (base64); {@code where} names it in errors. */
  static PrecompiledCharsmap parse(JsonNode n, String where) {
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(where + ".precompiled_charsmap = " + n + "; expected a base64 string");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(n.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".precompiled_charsmap is not base64: " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    long trieBytes = blob.length >= 4 ? Integer.toUnsignedLong(b.getInt()) : -1;
    if (trieBytes < 4 || trieBytes % 4 != 0 || trieBytes > blob.length - 4) {
      throw new IllegalArgumentException(where + ".precompiled_charsmap: trie size " + trieBytes
          + " does not fit the " + blob.length + "-byte map; is it a SentencePiece charsmap?");
    }
    int[] units = new int[(int) (trieBytes / 4)];
    for (int i = 0; i < units.length; i++) {
      units[i] = b.getInt();
    }
    byte[] normalized = new byte[b.remaining()];
    b.get(normalized);
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(normalized));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(where + ".precompiled_charsmap: replacement strings are not UTF-8", e);
    }
    return new PrecompiledCharsmap(units, normalized);
  }

  private static int offset(int unit) {
    return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
  }

  /** The replacement of the first (shortest) key that prefixes {@code key}, or {@code null}. */
  private String transform(byte[] key) {
    int pos = offset(units[0]);
    for (byte k : key) {
      int c = k & 0xFF;
      if (c == 0) {
        break;
      }
      pos ^= c;
      if (pos < 0 || pos >= units.length) {
        return null;
      }
      int unit = units[pos];
      if ((unit & ((1 << 31) | 0xFF)) != c) {
        return null;
      }
      pos ^= offset(unit);
      if (((unit >>> 8) & 1) == 1) {
        if (pos < 0 || pos >= units.length) {
          return null;
        }
        int start = units[pos] & Integer.MAX_VALUE;
        int end = start;
        while (end < normalized.length && normalized[end] != 0) {
          end++;
        }
        return start <= normalized.length ? new String(normalized, start, end - start, StandardCharsets.UTF_8) : null;
      }
    }
    return null;
  }

  @Override
  public String apply(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
    graphemes.setText(s);
    for (int start = graphemes.first(), end = graphemes.next(); end != BreakIterator.DONE;
        start = end, end = graphemes.next()) {
      String g = s.substring(start, end);
      byte[] bytes = g.getBytes(StandardCharsets.UTF_8);
      String whole = bytes.length < 6 ? transform(bytes) : null;
      if (whole != null) {
        out.append(whole);
        continue;
      }
      for (int i = 0; i < g.length(); ) {
        int cp = g.codePointAt(i);
        String c = g.substring(i, i + Character.charCount(cp));
        String t = transform(c.getBytes(StandardCharsets.UTF_8));
        out.append(t != null ? t : c);
        i += c.length();
      }
    }
    return out.toString();
  }

  /**
   * SentencePiece's own use of the map ({@code normalizer.cc}), which Hugging Face's differs from
   * on a few inputs: at each position the longest key that prefixes the rest of the text is
   * replaced, whatever the grapheme boundaries; text no key prefixes is copied one character at a
   * time.
   */
  String applyLongest(String s) {
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length + 8);
    int root = offset(units[0]);
    for (int i = 0; i < in.length; ) {
      int matched = 0;
      int value = -1;
      int pos = root;
      for (int j = i; j < in.length && in[j] != 0; j++) {
        int c = in[j] & 0xFF;
        pos ^= c;
        if (pos < 0 || pos >= units.length || (units[pos] & ((1 << 31) | 0xFF)) != c) {
          break;
        }
        int unit = units[pos];
        pos ^= offset(unit);
        if (((unit >>> 8) & 1) == 1 && pos >= 0 && pos < units.length) {
          matched = j + 1 - i;
          value = units[pos] & Integer.MAX_VALUE;
        }
      }
      if (matched > 0 && value < normalized.length) {
        int end = value;
        while (end < normalized.length && normalized[end] != 0) {
          end++;
        }
        out.write(normalized, value, end - value);
        i += matched;
      } else {
        int len = utf8Length(in[i]);
        len = Math.min(len, in.length - i);
        out.write(in, i, len);
        i += len;
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static int utf8Length(byte lead) {
    int b = lead & 0xFF;
    return b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  }
}
