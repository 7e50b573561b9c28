package dev.llmj.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmj.data.Document;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * JSONL lines read as bytes (the fast path) against the same lines read as strings: the byte check
 * against the JDK's strict decoder, and the documents and problems of both paths against each other.
 */
class Utf8Test {
  private static final long SEED = Long.getLong("tests.seed", 20261203L);

  /** Well-formed pieces, malformed ones (overlong, surrogate, past U+10FFFF, cut short, stray) and control bytes. */
  private static final byte[][] PIECES = {
      bytes("a"), bytes(" "), bytes("\t"), bytes("\"text\""), bytes("é"), bytes("€"), bytes("𝄞"), bytes("\uFFFD"),
      bytes("\u00A0"), bytes("\uD7FF"), bytes("\uE000"), bytes("\uFEFF"), bytes("\u007F"), bytes("{"),
      {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xFF}, {0}, {0x0C}, {0x1F}, {'\r'}};

  @Test
  void plainJsonObjectAgreesWithTheStrictDecoder() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    Random r = new Random(SEED);
    int accepted = 0;
    for (int t = 0; t < 200_000; t++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (r.nextInt(4) > 0) out.writeBytes(r.nextBoolean() ? bytes("{") : bytes(" \t{"));
      for (int k = r.nextInt(6); k > 0; k--) {
        byte[] p = PIECES[r.nextInt(PIECES.length)];
        // Mostly well-formed pieces, so that whole lines pass often enough.
        if (r.nextInt(8) > 0 && (p.length > 1 && p[0] < 0 && !wellFormed(p, p.length) || p.length == 1 && p[0] < 0x20 && p[0] != '\t')) continue;
        out.writeBytes(p);
      }
      byte[] b = out.toByteArray();
      int len = r.nextInt(3) == 0 ? r.nextInt(b.length + 1) : b.length; // a cut line ends mid-sequence
      boolean want = wellFormed(b, len) && noControlButTab(b, len) && firstNonBlankIsBrace(b, len);
      assertEquals(want, Utf8.plainJsonObject(b, len), () -> "bytes " + hex(b, len));
      if (want) accepted++;
    }
    System.out.println(accepted + " of 200000 lines accepted");
    assertEquals(true, accepted > 20_000 && accepted < 180_000, "both answers are exercised: " + accepted);
  }

  /**
   * Every line read both ways: as it is (bytes, when it qualifies) and with a carriage return after its
   * first brace, which JSON reads as white space and which sends the line down the string path.
   */
  @Test
  void bytePathReadsLikeTheStringPath() throws Exception {
    List<String> lines = List.of(
        "{\"text\":\"plain\"}", "{\"text\":\"caf\u00e9 \u20ac \ud834\udd1e\",\"id\":\"x1\",\"year\":2002,\"n\":null}",
        "{\"text\":\"esc \\\" \\\\ \\n \\u00e9 \\ud834\\udd1e\"}", "{\"text\":\"a\"} trailing", "{\"text\":\"a\"} {\"b\":1}",
        "{\"text\":1}", "{\"text\":{\"a\":[1,2]}}", "{\"other\":\"a\"}", "{\"text\":\"   \"}", "{\"text\":\"a\",}",
        "{\"text\":\"a\"", "{\"text\":tru}", "{\"text\":\"x\",\"meta\":[1,{\"a\":2}],\"f\":1.5e3}", "  \t{\"text\":\"lead\"}",
        "{\"text\":\"tab\there\"}", "{\"text\":\"\ufeffbom inside\"}", "{\"text\":\"a\",\"text\":\"b\"}");
    for (String line : lines) {
      String forced = line.replaceFirst("\\{", "{\r");
      assertEquals(read(line), read(forced), line);
    }
    byte[] invalid = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC0, (byte) 0x80, 'a', '"', '}'};
    // An overlong form: not for the byte path; the string path replaces it and says so.
    try (CorpusReader r = Corpus.read("f.jsonl", new ByteArrayInputStream(invalid), ReaderOptions.defaults())) {
      assertEquals("\uFFFD\uFFFDa", r.next().text());
      assertEquals(java.util.Map.of("invalid_utf8", 1L), r.problems().counts());
    }
  }

  private static String read(String line) throws Exception {
    return read(line.getBytes(StandardCharsets.UTF_8));
  }

  /** The documents (id, text, metadata) and then the problems of a one-line file. */
  private static String read(byte[] line) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (CorpusReader r = Corpus.read("f.jsonl", new ByteArrayInputStream(line), ReaderOptions.defaults())) {
      List<Document> docs = new ArrayList<>();
      r.forEachRemaining(docs::add);
      sb.append(r.problems().examples()).append(' ').append(r.problems().counts()).append(' ').append(docs);
    }
    return sb.toString();
  }

  private static boolean wellFormed(byte[] b, int len) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, len));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean noControlButTab(byte[] b, int len) {
    for (int i = 0; i < len; i++) if (b[i] >= 0 && b[i] < 0x20 && b[i] != '\t') return false;
    return true;
  }

  private static boolean firstNonBlankIsBrace(byte[] b, int len) {
    String s = new String(b, 0, len, StandardCharsets.ISO_8859_1).replaceFirst("^[ \t]*", "");
    return s.startsWith("{");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String hex(byte[] b, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) sb.append(String.format("%02x ", b[i] & 0xFF));
    return sb.toString();
  }
}
