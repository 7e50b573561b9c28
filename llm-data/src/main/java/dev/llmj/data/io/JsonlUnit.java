package dev.llmj.data.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmj.data.Document;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/** Reads one JSON object per line; other top-level scalar fields become metadata. */
final class JsonlUnit extends LineUnit {
  private static final JsonFactory JSON = new JsonFactory();

  JsonlUnit(String source, InputStream in, ReaderOptions options, InputProblems problems, long[] bytes) {
    super(source, in, options, problems, bytes);
  }

  @Override
  public Document next() throws IOException {
    for (int len; (len = lines.nextLine()) != LineReader.END; ) {
      long n = lines.lineNumber();
      if (len == LineReader.TOO_LONG_LINE) {
        problems.report("line_too_long", source, n, "longer than maxLineBytes=" + options.maxLineBytes());
        continue;
      }
      // Most lines go to the parser as bytes, without a string of the whole line first; the rest
      // (and a line the parser rejects, for the message) take the string path.
      if (Utf8.plainJsonObject(lines.bytes(), len)) {
        try (JsonParser p = JSON.createParser(lines.bytes(), 0, len)) {
          Document d = parse(p, n);
          if (d != null) return d;
          continue;
        } catch (IOException e) {
          // reported below, from the string
        }
      }
      String line = lines.decode(len);
      if (line.isBlank()) continue;
      if (lines.lastLineInvalidUtf8()) {
        problems.report("invalid_utf8", source, n, "invalid UTF-8 bytes replaced by U+FFFD");
      }
      Document d = parse(line, n);
      if (d != null) return d;
    }
    return null;
  }

  private Document parse(String line, long n) {
    try (JsonParser p = JSON.createParser(line)) {
      return parse(p, n);
    } catch (IOException e) {
      problems.report("malformed_json", source, n, firstLine(e.getMessage()));
      return null;
    }
  }

  /**
   * The document of line {@code n}, or null after reporting what is wrong with it; throws, having
   * reported nothing, when the line is not JSON.
   */
  private Document parse(JsonParser p, long n) throws IOException {
    Map<String, String> meta = new HashMap<>();
    String text = null;
    String id = null;
    boolean textNotString = false;
    if (p.nextToken() != JsonToken.START_OBJECT) {
      problems.report("malformed_json", source, n, "line is not a JSON object");
      return null;
    }
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        p.skipChildren();
        if (name.equals(options.textField())) textNotString = true;
        continue;
      }
      if (name.equals(options.textField())) {
        if (v == JsonToken.VALUE_STRING) text = p.getText();
        else textNotString = v != JsonToken.VALUE_NULL;
      } else if (v != JsonToken.VALUE_NULL) {
        String value = p.getText();
        if (name.equals(options.idField())) id = value;
        meta.put(name, value);
      }
    }
    if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
      problems.report("malformed_json", source, n, "trailing data after the JSON object");
      return null;
    }
    if (text == null) {
      problems.report(textNotString ? "text_not_string" : "missing_text_field", source, n,
          "field '" + options.textField() + "' " + (textNotString ? "is not a string" : "is missing")
              + "; set textField to the field holding the text");
      return null;
    }
    if (text.isBlank()) {
      problems.report("empty_document", source, n, "field '" + options.textField() + "' is empty");
      return null;
    }
    meta.put("source", source);
    meta.put("line", Long.toString(n));
    return new Document(id != null ? id : source + ":" + n, text, meta);
  }

  static String firstLine(String msg) {
    if (msg == null) return "unreadable";
    int i = msg.indexOf('\n');
    return i < 0 ? msg : msg.substring(0, i);
  }
}
