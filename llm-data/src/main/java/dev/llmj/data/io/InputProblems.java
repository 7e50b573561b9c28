package dev.llmj.data.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every problem met while reading inputs, counted by kind, with the first occurrences kept with
 * file and line so a report can point at them. Memory stays bounded however bad the input.
 */
public final class InputProblems {
  /** One problem: a short kind (e.g. {@code malformed_json}), where it was and what was wrong. */
  public record Problem(String kind, String file, long line, String message) {
    @Override
    public String toString() {
      return kind + " at " + file + (line > 0 ? ":" + line : "") + ": " + message;
    }
  }

  private static final int MAX_EXAMPLES = 200;

  private final Map<String, Long> counts = new TreeMap<>();
  private final List<Problem> examples = new ArrayList<>();
  private final boolean strict;

  /** @param strict when true, {@link #report} throws instead of counting */
  public InputProblems(boolean strict) {
    this.strict = strict;
  }

  /** Counts a problem, or throws {@link IllegalArgumentException} naming it when strict. */
  public void report(String kind, String file, long line, String message) {
    Problem p = new Problem(kind, file, line, message);
    if (strict) {
      throw new IllegalArgumentException("Bad input (strict mode): " + p + "; fix the input, or turn strict mode off to skip and count bad records");
    }
    counts.merge(kind, 1L, Long::sum);
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(p);
    }
  }

  /** Problems per kind, sorted by kind. */
  public Map<String, Long> counts() {
    return Collections.unmodifiableMap(counts);
  }

  /** The first problems met, in order, with file and line. */
  public List<Problem> examples() {
    return Collections.unmodifiableList(examples);
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
