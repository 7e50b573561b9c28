package dev.llmj.data.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads byte-level BPE tokenizers.
 *
 * <pre>{@code
 * BpeTokenizer gpt2 = Tokenizers.gpt2();                          // embedded GPT-2 (r50k_base)
 * BpeTokenizer mine = Tokenizers.load(Path.of("tokenizer.json"));  // Hugging Face format
 * BpeTokenizer orig = Tokenizers.load(Path.of("gpt2-files/"));     // encoder.json + vocab.bpe
 * BpeTokenizer gpt4o = Tokenizers.load(Path.of("o200k_base.tiktoken")); // tiktoken rank file
 * }</pre>
 *
 * To train one, see {@link BpeTrainer}; to save one, {@link BpeTokenizer#save(Path)}.
 */
public final class Tokenizers {
  private static final String GPT2_DIR = "/dev/llmj/data/tokenizer/gpt2/";

  private Tokenizers() {}

  /**
   * GPT-2's tokenizer (50,257 ids, {@code <|endoftext|>} = 50256) from the copy of OpenAI's
   * {@code encoder.json} and {@code vocab.bpe} embedded in this library; loaded once, then shared.
   */
  public static BpeTokenizer gpt2() {
    return Gpt2Holder.INSTANCE;
  }

  private static final class Gpt2Holder {
    static final BpeTokenizer INSTANCE = loadGpt2();

    private static BpeTokenizer loadGpt2() {
      try (InputStream enc = resource("encoder.json"); InputStream bpe = resource("vocab.bpe")) {
        return Gpt2Files.read(enc, "classpath:" + GPT2_DIR + "encoder.json",
            bpe, "classpath:" + GPT2_DIR + "vocab.bpe");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the embedded GPT-2 tokenizer", e);
      }
    }

    private static InputStream resource(String name) {
      InputStream in = Tokenizers.class.getResourceAsStream(GPT2_DIR + name);
      if (in == null) {
        throw new IllegalStateException("classpath resource " + GPT2_DIR + name
            + " is missing; is the llm-data jar complete?");
      }
      return in;
    }
  }

  /**
   * Loads a tokenizer from a Hugging Face {@code tokenizer.json} file, a tiktoken rank file
   * ({@code cl100k_base.tiktoken}, {@code o200k_base.tiktoken}, {@code r50k_base.tiktoken},
   * {@code p50k_base.tiktoken}: the name tells the split pattern and special tokens; see
   * {@link #loadTiktoken} for other names), or a folder holding either {@code tokenizer.json} or
   * GPT-2's {@code encoder.json} and {@code vocab.bpe}.
   *
   * @throws IllegalArgumentException for malformed or inconsistent files, naming file and line or key
   * @throws UnsupportedOperationException for valid files using features other than byte-level BPE
   */
  public static BpeTokenizer load(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      Path json = path.resolve("tokenizer.json");
      if (Files.isRegularFile(json)) {
        return TokenizerJson.read(json);
      }
      Path encoder = path.resolve("encoder.json");
      Path merges = path.resolve("vocab.bpe");
      if (Files.isRegularFile(encoder) && Files.isRegularFile(merges)) {
        try (InputStream e = Files.newInputStream(encoder); InputStream m = Files.newInputStream(merges)) {
          return Gpt2Files.read(e, encoder.toString(), m, merges.toString());
        }
      }
      throw new IllegalArgumentException("folder " + path + " holds neither tokenizer.json nor "
          + "encoder.json + vocab.bpe; point to a folder with one of them or to the file itself");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("tokenizer file " + path + " does not exist");
    }
    if (path.getFileName().toString().endsWith(".tiktoken")) {
      return TiktokenFile.read(path, TiktokenFile.encodingOf(path));
    }
    return TokenizerJson.read(path);
  }

  /**
   * Loads a tiktoken rank file (base64 token and rank per line) as the named encoding's byte-level
   * BPE tokenizer, with that encoding's split pattern and special tokens: {@code "cl100k_base"}
   * (GPT-4), {@code "o200k_base"} (GPT-4o), {@code "r50k_base"} or {@code "p50k_base"}.
   *
   * @throws IllegalArgumentException for an unknown encoding or a malformed file, naming the line
   */
  public static BpeTokenizer loadTiktoken(Path file, String encoding) throws IOException {
    return TiktokenFile.read(file, TiktokenFile.encoding(encoding));
  }
}
