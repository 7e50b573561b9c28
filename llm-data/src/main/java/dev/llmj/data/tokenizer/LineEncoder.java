package dev.llmj.data.tokenizer;

import dev.llmj.data.io.Corpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes a text file line by line, writing one line of space-separated ids per input line: what
 * {@code llm tokenizer encode} prints, for comparing with other tokenizers line for line.
 *
 * <pre>{@code
 * long tokens = LineEncoder.encode(tok, Path.of("lines.txt"), writer, false, false);
 * }</pre>
 */
public final class LineEncoder {
  private static final int BATCH = 4096;

  private LineEncoder() {}

  /**
   * Encodes each line of a UTF-8 file (optionally compressed; the line end is not encoded).
   * Special tokens written in the text are recognised, as Hugging Face's {@code encode} does.
   *
   * @param addSpecialTokens apply the post-processor (Hugging Face's {@code add_special_tokens=True})
   * @param countOnly write only the total number of tokens
   * @return the total number of tokens
   */
  public static long encode(Tokenizer tok, Path input, Writer out, boolean addSpecialTokens,
      boolean countOnly) throws IOException {
    Function<String, int[]> encode = addSpecialTokens ? tok::encodeWithSpecialTokens : line -> tok.encode(line, true);
    int threads = Runtime.getRuntime().availableProcessors();
    long total = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Corpus.openDecompressed(input), StandardCharsets.UTF_8), 1 << 16)) {
      List<String> lines = new ArrayList<>(BATCH);
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
        if (lines.size() == BATCH) {
          total += emit(encode, lines, threads, out, countOnly);
          lines.clear();
        }
      }
      total += emit(encode, lines, threads, out, countOnly);
    }
    if (countOnly) {
      out.write(total + "\n");
    }
    out.flush();
    return total;
  }

  private static long emit(Function<String, int[]> encode, List<String> lines, int threads, Writer out,
      boolean countOnly) throws IOException {
    List<int[]> encoded = new ArrayList<>(lines.size());
    CorpusEncoder.encodeAll(encode, lines.iterator(), threads, encoded::add);
    long n = 0;
    StringBuilder sb = new StringBuilder();
    for (int[] ids : encoded) {
      n += ids.length;
      if (countOnly) {
        continue;
      }
      sb.setLength(0);
      for (int i = 0; i < ids.length; i++) {
        if (i > 0) {
          sb.append(' ');
        }
        sb.append(ids[i]);
      }
      out.append(sb).append('\n');
    }
    return n;
  }
}
