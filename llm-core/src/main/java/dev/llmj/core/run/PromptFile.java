package dev.llmj.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The prompts of a {@link SampleReview} ({@code llm generate --prompts FILE}): a {@code .jsonl} file holds one object with a string
 * {@code "prompt"} per line (so a prompt may span lines, written with {@code \n}); any other file holds one
 * prompt per line, taken as it is. Blank lines are skipped in both; every error names the file and line.
 */
final class PromptFile {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Far above any sheet a person can review; guards against passing a corpus by mistake. */
  private static final long MAX_BYTES = 16L << 20;

  private PromptFile() {}

  static List<SampleReview.Prompt> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("prompt file " + file + " is not a file; give a .txt file with one prompt"
          + " per line or a .jsonl file with a \"prompt\" field per line");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException("prompt file " + file + " is " + Files.size(file) + " bytes, over the "
          + MAX_BYTES + " a review sheet can hold; split it into several files");
    }
    boolean jsonl = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
    List<SampleReview.Prompt> prompts = new ArrayList<>();
    byte[] bytes = Files.readAllBytes(file);
    int lineNo = 0;
    for (int start = 0; start < bytes.length; ) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      lineNo++;
      String line = utf8(bytes, start, end, file + ":" + lineNo);
      start = end + 1;
      if (lineNo == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isBlank()) {
        continue;
      }
      String where = file + ":" + lineNo;
      prompts.add(new SampleReview.Prompt(jsonl ? promptField(line, where) : line, where));
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("prompt file " + file + " holds no prompt (every line is blank)");
    }
    return prompts;
  }

  /** Strict decoding: a file in another encoding should stop here, not reach the model as U+FFFD. */
  private static String utf8(byte[] bytes, int start, int end, String where) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, end - start))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(where + " is not UTF-8 text; save the prompt file as UTF-8");
    }
  }

  private static String promptField(String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + " is not JSON: " + e.getOriginalMessage()
          + "; each line of a .jsonl prompt file is one object such as {\"prompt\": \"Once upon a time\"}");
    }
    JsonNode p = node == null ? null : node.get("prompt");
    if (p == null || !p.isTextual()) {
      throw new IllegalArgumentException(where + " has no string field \"prompt\"; each line of a .jsonl prompt"
          + " file is one object such as {\"prompt\": \"Once upon a time\"}");
    }
    return p.asText();
  }
}
