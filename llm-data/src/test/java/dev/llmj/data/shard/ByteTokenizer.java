package dev.llmj.data.shard;

import dev.llmj.data.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/** Test tokenizer: one id per UTF-8 byte (0..255) and {@code <|endoftext|>} = 256. */
class ByteTokenizer implements Tokenizer {
  static final int EOT = 256;

  @Override
  public int[] encode(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      ids[i] = b[i] & 0xFF;
    }
    return ids;
  }

  @Override
  public int[] encode(String text, boolean allowSpecialTokens) {
    if (!allowSpecialTokens) {
      return encode(text);
    }
    String[] parts = text.split("<\\|endoftext\\|>", -1);
    int n = 0;
    int[] buf = new int[text.length() * 4 + parts.length];
    for (int p = 0; p < parts.length; p++) {
      if (p > 0) {
        buf[n++] = EOT;
      }
      for (int id : encode(parts[p])) {
        buf[n++] = id;
      }
    }
    return Arrays.copyOf(buf, n);
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id == EOT) {
        out.writeBytes("<|endoftext|>".getBytes(StandardCharsets.UTF_8));
      } else if (id >= 0 && id < 256) {
        out.write(id);
      } else {
        throw new IllegalArgumentException("unknown id " + id);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return 257;
  }

  @Override
  public OptionalInt specialTokenId(String token) {
    return "<|endoftext|>".equals(token) ? OptionalInt.of(EOT) : OptionalInt.empty();
  }

  @Override
  public List<String> specialTokens() {
    return List.of("<|endoftext|>");
  }
}
