package dev.llmj.data.io;

import dev.llmj.data.Document;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Reads plain text: the whole file as one document, or one document per blank-line-separated block. */
final class TextUnit extends LineUnit {
  private boolean done;

  TextUnit(String source, InputStream in, ReaderOptions options, InputProblems problems, long[] bytes) {
    super(source, in, options, problems, bytes);
  }

  @Override
  public Document next() throws IOException {
    StringBuilder sb = new StringBuilder();
    long startLine = 0;
    boolean tooLong = false;
    String line;
    while (!done && (line = lines.readLine()) != null) {
      long n = lines.lineNumber();
      if (line == LineReader.TOO_LONG) {
        problems.report("line_too_long", source, n, "longer than maxLineBytes=" + options.maxLineBytes());
        continue;
      }
      if (line.indexOf('\0') >= 0) {
        problems.report("binary_data", source, n, "NUL bytes in a text file; the rest of it is skipped");
        done = true;
        return null;
      }
      if (lines.lastLineInvalidUtf8()) {
        problems.report("invalid_utf8", source, n, "invalid UTF-8 bytes replaced by U+FFFD");
      }
      boolean blank = line.isBlank();
      if (options.textMode() == ReaderOptions.TextMode.BLOCK && blank) {
        if (sb.length() > 0 || tooLong) {
          Document d = emit(sb, startLine, tooLong);
          if (d != null) return d;
          sb.setLength(0);
          tooLong = false;
        }
        continue;
      }
      if (sb.length() == 0 && !tooLong) startLine = n;
      if (tooLong) continue;
      if (sb.length() + line.length() > options.maxDocumentBytes()) {
        tooLong = true;
        sb.setLength(0);
        continue;
      }
      if (sb.length() > 0) sb.append('\n');
      sb.append(line);
    }
    if (done) return null;
    done = true;
    if (sb.length() == 0 && !tooLong) {
      if (options.textMode() == ReaderOptions.TextMode.FILE) {
        problems.report("empty_document", source, 0, "the file holds no text");
      }
      return null;
    }
    return emit(sb, startLine, tooLong);
  }

  private Document emit(StringBuilder sb, long startLine, boolean tooLong) {
    if (tooLong) {
      problems.report("document_too_long", source, startLine, "longer than maxDocumentBytes=" + options.maxDocumentBytes());
      return null;
    }
    String text = sb.toString();
    if (text.isBlank()) return null;
    boolean file = options.textMode() == ReaderOptions.TextMode.FILE;
    String id = file ? source : source + ":" + startLine;
    return new Document(id, text, Map.of("source", source, "line", Long.toString(startLine)));
  }
}
