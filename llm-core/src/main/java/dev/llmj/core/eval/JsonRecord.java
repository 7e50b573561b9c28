package dev.llmj.core.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.llmj.data.io.Corpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object of a task file with where it came from, so every complaint about a field names the
 * file, the line and what was expected.
 */
record JsonRecord(String file, int line, JsonNode node) {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** The objects of a JSONL file (blank lines skipped), or of a JSON file holding one array of objects. */
  static List<JsonRecord> readAll(Path path) throws IOException {
    String file = path.toString();
    List<JsonRecord> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(Corpus.openDecompressed(path), StandardCharsets.UTF_8))) {
      in.mark(1 << 16);
      int first;
      do {
        first = in.read();
      } while (first == ' ' || first == '\n' || first == '\r' || first == '\t' || first == '\uFEFF');
      in.reset();
      if (first == '[') {
        readArray(file, in, out);
        return out;
      }
      String text;
      int line = 0;
      while ((text = in.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(file + ":" + line + ": not a JSON object ("
              + e.getOriginalMessage() + "); expected one JSON object per line");
        }
        out.add(new JsonRecord(file, line, node).requireObject());
      }
    }
    return out;
  }

  private static void readArray(String file, Reader in, List<JsonRecord> out) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      p.nextToken();
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        int line = p.currentTokenLocation().getLineNr();
        if (t == null) {
          throw new IllegalArgumentException(file + ":" + line + ": the JSON array is not closed");
        }
        out.add(new JsonRecord(file, line, p.readValueAsTree()).requireObject());
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ":" + e.getLocation().getLineNr() + ": malformed JSON ("
          + e.getOriginalMessage() + ")");
    }
  }

  private JsonRecord requireObject() {
    if (node == null || !node.isObject()) {
      throw error("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    return this;
  }

  IllegalArgumentException error(String message) {
    return new IllegalArgumentException(file + ":" + line + ": " + message);
  }

  boolean has(String field) {
    return node.has(field) && !node.get(field).isNull();
  }

  JsonNode field(String field) {
    if (!has(field)) {
      throw error("missing field \"" + field + "\"");
    }
    return node.get(field);
  }

  /** A string field; numbers are accepted as their text, since releases differ on label types. */
  String text(String field) {
    JsonNode v = field(field);
    if (!v.isTextual() && !v.isNumber()) {
      throw error("field \"" + field + "\" must be a string, got " + v.getNodeType());
    }
    return v.asText();
  }

  String textOr(String field, String fallback) {
    return has(field) ? text(field) : fallback;
  }

  /** An integer field, given as a number or as a string of digits. */
  int integer(String field) {
    JsonNode v = field(field);
    if (v.isIntegralNumber()) {
      return v.asInt();
    }
    if (v.isTextual() && v.asText().strip().matches("-?\\d{1,9}")) {
      return Integer.parseInt(v.asText().strip());
    }
    throw error("field \"" + field + "\" must be an integer, got " + v);
  }

  /** A non-empty array of strings, in {@code node} (the record itself or a nested object). */
  List<String> strings(JsonNode parent, String field, String path) {
    JsonNode v = parent.get(field);
    if (v == null || !v.isArray() || v.isEmpty()) {
      throw error("field \"" + path + "\" must be a non-empty array of strings, got " + (v == null ? "nothing" : v));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw error("field \"" + path + "\" must hold strings, found " + e);
      }
      out.add(e.asText());
    }
    return out;
  }

  String id(String field) {
    return has(field) ? node.get(field).asText() : Path.of(file).getFileName() + ":" + line;
  }
}
