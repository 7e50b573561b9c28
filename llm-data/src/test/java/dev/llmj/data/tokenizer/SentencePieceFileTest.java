package dev.llmj.data.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code .model} files defensively: damaged files fail naming the file and the byte offset or what is missing. */
class SentencePieceFileTest {
  @TempDir Path dir;

  private static byte[] model(String name) throws IOException {
    try {
      return Files.readAllBytes(Path.of(SentencePieceFileTest.class.getResource("/tokenizers/spm/" + name).toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void folderWithTokenizerModelLoads() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("model"));
    write("model/tokenizer.model", model("bpe.model"));
    Tokenizer fromFolder = Tokenizers.load(folder);
    Tokenizer fromFile = Tokenizers.load(write("bpe.model", model("bpe.model")));
    assertArrayEquals(fromFile.encode("Call me Ishmael."), fromFolder.encode("Call me Ishmael."));
  }

  @Test
  void truncatedFilesFailWithFileAndOffset() throws IOException {
    byte[] good = model("unigram.model");
    for (int cut : new int[] {1, 2, 7, 100, good.length / 2, good.length - 1}) {
      Path p = write("cut" + cut + ".model", Arrays.copyOf(good, cut));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(p));
      System.out.println("rejected: " + e.getMessage());
      assertTrue(e.getMessage().startsWith(p.toString())
          && (e.getMessage().contains("at byte") || e.getMessage().contains("truncated")), e.getMessage());
    }
  }

  @Test
  void garbageAndEmptyFilesFail() throws IOException {
    long seed = TestCorpora.seed();
    Random rnd = new Random(seed);
    for (int t = 0; t < 200; t++) {
      byte[] junk = new byte[1 + rnd.nextInt(300)];
      rnd.nextBytes(junk);
      Path p = write("junk.model", junk);
      RuntimeException e = assertThrows(RuntimeException.class, () -> Tokenizers.load(p),
          "junk file " + t + " loaded; seed " + seed);
      assertTrue(e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException,
          "junk file " + t + " (seed " + seed + ") failed with " + e);
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
    Path empty = write("empty.model", new byte[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.load(empty));
    assertTrue(e.getMessage().contains("no pieces"), e.getMessage());
  }

  @Test
  void unsupportedOptionsFailLoudly() throws IOException {
    byte[] good = model("bpe.model");
    // A second trainer_spec (field 2) setting treat_whitespace_as_suffix (field 24) = true; protobuf merges it.
    byte[] suffix = {0x12, 0x03, (byte) 0xC0, 0x01, 0x01};
    byte[] bytes = Arrays.copyOf(good, good.length + suffix.length);
    System.arraycopy(suffix, 0, bytes, good.length, suffix.length);
    Path p = write("suffix.model", bytes);
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Tokenizers.load(p));
    assertTrue(e.getMessage().contains("treat_whitespace_as_suffix"), e.getMessage());
  }
}
