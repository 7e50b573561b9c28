package dev.llmj.data.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Hugging Face's own Rust tokenizers library (through DJL's JNI binding), the reference that ids
 * and decoded text are compared with. Built from the bare {@code tokenizer.json} with truncation,
 * padding and DJL's own text clean-ups off, so it computes exactly the Rust library's {@code
 * encode(text, add_special_tokens)} and {@code decode(ids, skip_special_tokens)}.
 */
final class HfReference implements AutoCloseable {
  private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false",
      "addSpecialTokens", "false", "modelMaxLength", Integer.toString(Integer.MAX_VALUE));

  private final HuggingFaceTokenizer hf;

  private HfReference(HuggingFaceTokenizer hf) {
    this.hf = hf;
  }

  /** A {@code tokenizer.json}, {@code tokenizer.json.gz}, or a folder holding one. */
  static HfReference load(Path path) {
    try {
      if (Files.isDirectory(path)) {
        path = Files.exists(path.resolve("tokenizer.json")) ? path.resolve("tokenizer.json")
            : path.resolve("tokenizer.json.gz");
      }
      byte[] json;
      try (InputStream raw = Files.newInputStream(path);
          InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
        json = in.readAllBytes();
      }
      return new HfReference(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), OPTIONS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int[] encode(String text, boolean addSpecialTokens) {
    return toInts(hf.encode(text, addSpecialTokens, false).getIds());
  }

  int[] encodePair(String first, String second, boolean addSpecialTokens) {
    return toInts(hf.encode(first, second, addSpecialTokens, false).getIds());
  }

  String decode(int[] ids, boolean skipSpecialTokens) {
    return hf.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
  }

  private static int[] toInts(long[] ids) {
    return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
  }

  @Override
  public void close() {
    hf.close();
  }
}
