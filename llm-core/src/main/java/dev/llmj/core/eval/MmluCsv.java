package dev.llmj.core.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MMLU's original CSV release: no header, rows {@code question,A,B,C,D,answer-letter}, RFC 4180 quoting
 * (quoted fields may span lines), the subject in the file name ({@code abstract_algebra_test.csv}).
 */
final class MmluCsv {

  private MmluCsv() {}

  static List<TaskItem> read(Path path) throws IOException {
    String name = path.getFileName().toString();
    String subject = name.replaceFirst("\\.csv$", "").replaceFirst("_(test|dev|val|validation|train|auxiliary_train)$", "");
    List<TaskItem> items = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        dev.llmj.data.io.Corpus.openDecompressed(path), StandardCharsets.UTF_8))) {
      int[] line = {0};
      List<String> row;
      while (true) {
        int startLine = line[0] + 1;
        row = nextRow(in, line, path);
        if (row == null) {
          break;
        }
        if (row.size() == 1 && row.get(0).isBlank()) {
          continue;
        }
        String where = path + ":" + startLine;
        if (row.size() != 6) {
          throw new IllegalArgumentException(where + ": expected 6 columns question,A,B,C,D,answer, got "
              + row.size());
        }
        String answer = row.get(5).strip();
        int gold = TaskReaders.LETTERS.indexOf(answer);
        if (gold < 0) {
          throw new IllegalArgumentException(where + ": answer column must be A, B, C or D, got \"" + answer + "\"");
        }
        items.add(TaskReaders.mmlu(name + ":" + startLine, subject, row.get(0), row.subList(1, 5), gold));
      }
    }
    return items;
  }

  /** The fields of the next record, or null at the end; {@code line} counts physical lines read. */
  static List<String> nextRow(BufferedReader in, int[] line, Path path) throws IOException {
    String text = in.readLine();
    if (text == null) {
      return null;
    }
    line[0]++;
    int startLine = line[0];
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    int i = 0;
    while (true) {
      if (i == text.length()) {
        if (!quoted) {
          fields.add(field.toString());
          return fields;
        }
        text = in.readLine();
        if (text == null) {
          throw new IllegalArgumentException(path + ":" + startLine + ": quoted field is never closed");
        }
        line[0]++;
        field.append('\n');
        i = 0;
        continue;
      }
      char c = text.charAt(i++);
      if (quoted) {
        if (c == '"' && i < text.length() && text.charAt(i) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
  }
}
