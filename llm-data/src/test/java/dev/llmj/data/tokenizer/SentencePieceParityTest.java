package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SentencePiece {@code .model} files trained by Debian's {@code spm_train} against the ids {@code
 * spm_encode} wrote for each line of {@code inputs.txt} (corpus lines and random strings with
 * emoji, CJK, combining marks, Unicode spaces, compatibility characters, space runs and
 * control-piece text), without normalization and with the default nmt_nfkc map. Regenerate
 * with {@code src/test/resources/tokenizers/spm/make_golden.sh}.
 */
class SentencePieceParityTest {

  private static Path resource(String name) {
    try {
      return Path.of(SentencePieceParityTest.class.getResource("/tokenizers/spm/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bpe", "unigram", "bpe-nfkc", "unigram-nfkc"})
  void idsEqualSpmEncode(String type) throws IOException {
    Tokenizer tok = Tokenizers.load(resource(type + ".model"));
    List<String> inputs = Files.readAllLines(resource("inputs.txt"), StandardCharsets.UTF_8);
    List<String> golden = Files.readAllLines(resource(type + ".ids"), StandardCharsets.UTF_8);
    assertEquals(inputs.size(), golden.size(), "inputs.txt and " + type + ".ids differ in lines; rerun make_golden.sh");
    int differing = 0;
    long tokens = 0;
    String first = null;
    for (int i = 0; i < inputs.size(); i++) {
      int[] expected = golden.get(i).isBlank() ? new int[0]
          : Arrays.stream(golden.get(i).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
      int[] actual = tok.encode(inputs.get(i));
      tokens += expected.length;
      if (!Arrays.equals(expected, actual)) {
        differing++;
        if (first == null) {
          int k = Arrays.mismatch(expected, actual);
          first = "line " + (i + 1) + ": " + Gpt2PreTokenizerTest.escape(inputs.get(i)) + "\n ids from index " + k
              + ": expected " + Arrays.toString(Arrays.copyOfRange(expected, k, Math.min(k + 12, expected.length)))
              + "\n actual   " + Arrays.toString(Arrays.copyOfRange(actual, k, Math.min(k + 12, actual.length)));
        }
      }
      if (type.equals("bpe")) { // byte fallback: lossless up to SentencePiece's whitespace normalization
        String normalized = inputs.get(i).replace('\u2581', ' ').replaceAll(" {2,}", " ").strip();
        assertEquals(normalized, tok.decode(actual).replaceAll(" {2,}", " ").strip(), "decode of line " + (i + 1));
      }
    }
    System.out.printf("SentencePiece %s: %d lines, %d tokens, %d differing from spm_encode%n",
        type, inputs.size(), tokens, differing);
    assertEquals(0, differing, "first difference: " + first);
  }
}
