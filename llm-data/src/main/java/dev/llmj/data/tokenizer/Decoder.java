package dev.llmj.data.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoding step of a Hugging Face pipeline: token strings in, strings out, which are then
 * joined. Each factory is one of Hugging Face's decoder types with its semantics.
 */
@FunctionalInterface
interface Decoder {

  List<String> decode(List<String> tokens);

  /** Byte-level spellings back to bytes, then UTF-8 (invalid bytes become U+FFFD). */
  Decoder BYTE_LEVEL = tokens -> {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (String t : tokens) {
      byte[] b = ByteLevel.toBytesOrNull(t);
      bytes.writeBytes(b != null ? b : t.getBytes(StandardCharsets.UTF_8)); // not byte-level: as written
    }
    return List.of(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
  };

  /** Runs of {@code <0xNN>} tokens become their UTF-8 text, or one U+FFFD per byte if invalid. */
  Decoder BYTE_FALLBACK = tokens -> {
    List<String> out = new ArrayList<>(tokens.size());
    java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
    for (String t : tokens) {
      int b = byteOf(t);
      if (b >= 0) {
        run.write(b);
        continue;
      }
      flushBytes(run, out);
      out.add(t);
    }
    flushBytes(run, out);
    return out;
  };

  /** All tokens joined into one string. */
  Decoder FUSE = tokens -> List.of(String.join("", tokens));

  private static int byteOf(String t) {
    if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
      int hi = Character.digit(t.charAt(3), 16);
      int lo = Character.digit(t.charAt(4), 16);
      if (hi >= 0 && lo >= 0) {
        return hi * 16 + lo;
      }
    }
    return -1;
  }

  private static void flushBytes(java.io.ByteArrayOutputStream run, List<String> out) {
    if (run.size() == 0) {
      return;
    }
    byte[] b = run.toByteArray();
    run.reset();
    try {
      out.add(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString());
    } catch (java.nio.charset.CharacterCodingException e) {
      for (int i = 0; i < b.length; i++) {
        out.add("\uFFFD");
      }
    }
  }

  /** Metaspace: the replacement character becomes a space, dropped at the start of the first token unless scheme is never. */
  static Decoder metaspace(int replacement, boolean stripFirst) {
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        StringBuilder b = new StringBuilder();
        String t = tokens.get(i);
        for (int k = 0; k < t.length(); ) {
          int c = t.codePointAt(k);
          k += Character.charCount(c);
          if (c != replacement) {
            b.appendCodePoint(c);
          } else if (i != 0 || !stripFirst) {
            b.append(' ');
          }
        }
        out.add(b.toString());
      }
      return out;
    };
  }

  /** Strip: removes up to {@code start} leading and {@code stop} trailing {@code content} characters of each token. */
  static Decoder strip(int content, int start, int stop) {
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int[] cps = t.codePoints().toArray();
        int from = 0;
        while (from < Math.min(start, cps.length) && cps[from] == content) {
          from++;
        }
        int to = cps.length;
        for (int i = 0; i < stop && to > 0 && cps[to - 1] == content; i++) {
          to--;
        }
        out.add(new String(cps, from, Math.max(0, to - from)));
      }
      return out;
    };
  }

  /** Replace: every match of a pattern in each token becomes {@code content}. */
  static Decoder replace(SplitPattern pattern, String content) {
    return tokens -> {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        StringBuilder b = new StringBuilder();
        pattern.find(t, (s, e, match) -> b.append(match ? content : t.substring(s, e)));
        out.add(b.toString());
      }
      return out;
    };
  }

  /** Each decoder in turn. */
  static Decoder sequence(List<Decoder> steps) {
    return tokens -> {
      List<String> t = tokens;
      for (Decoder d : steps) {
        t = d.decode(t);
      }
      return t;
    };
  }

}
