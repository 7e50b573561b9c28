package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading rank files: the encoding named by the file name, and malformed files rejected by line. */
class TiktokenFileTest {
  @TempDir Path dir;

  /** All 256 bytes, then "ab" (256), "abc" (257), "bc" (258), and the lines given. */
  private Path rankFile(String name, String... extra) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b = 0; b < 256; b++) {
      sb.append(Base64.getEncoder().encodeToString(new byte[] {(byte) b})).append(' ').append(b).append('\n');
    }
    String[] more = {"ab", "abc", "bc"};
    for (int i = 0; i < more.length; i++) {
      sb.append(b64(more[i])).append(' ').append(256 + i).append('\n');
    }
    for (String line : extra) {
      sb.append(line).append('\n');
    }
    Path file = dir.resolve(name);
    Files.writeString(file, sb.toString(), StandardCharsets.US_ASCII);
    return file;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void encodingFromFileNameOrExplicit() throws IOException {
    Tokenizer tok = Tokenizers.load(rankFile("cl100k_base.tiktoken"));
    // "abc": the pair (a, b) has rank 256, lower than (b, c) at 258; then (ab, c) makes 257.
    assertArrayEquals(new int[] {257, 'x', 32, 256}, tok.encode("abcx ab"));
    assertEquals(100257, tok.endOfTextId());
    BpeTokenizer named = Tokenizers.loadTiktoken(rankFile("my-ranks.txt"), "o200k_base");
    assertEquals(199999, named.endOfTextId());
    assertEquals("abc<|endoftext|>", named.decode(named.encode("abc<|endoftext|>", true)));
  }

  @Test
  void unknownNameFailsNamingTheChoices() throws IOException {
    Path file = rankFile("mystery.tiktoken");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(file));
    assertTrue(e.getMessage().contains("mystery.tiktoken") && e.getMessage().contains("o200k_base")
        && e.getMessage().contains("loadTiktoken"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Tokenizers.loadTiktoken(file, "o300k"));
  }

  @Test
  void malformedLinesAreRejectedWithTheirLineNumber() throws IOException {
    String[][] cases = {
        {"YWJj", "line 260: expected a base64 token"},
        {"!!!! 300", "line 260: token \"!!!!\" is not base64"},
        {b64("xyz") + " 3x", "line 260: rank \"3x\" is not an integer"},
        {b64("xyz") + " 257", "line 260: rank 257 is given twice"},
        {b64("ab") + " 300", "line 260: the token of rank 300 repeats the token of rank 256"},
        {b64("xyz") + " -4", "line 260: rank -4 is outside"},
        {b64("xyz") + " 100257", "special token <|endoftext|> of cl100k_base has id 100257"}};
    for (String[] c : cases) {
      Path file = rankFile("cl100k_base.tiktoken", c[0]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(file));
      System.out.println("rejected: " + e.getMessage());
      assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(c[1]), e.getMessage());
    }
  }
}
