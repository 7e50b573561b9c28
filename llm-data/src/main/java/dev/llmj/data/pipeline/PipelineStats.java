package dev.llmj.data.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.InputProblems;
import java.util.List;
import java.util.Map;

/**
 * The account of a run: documents and bytes read, every input problem with file and line, and per
 * step what was seen, kept and dropped with reasons. Printable as JSON or as a table.
 */
public final class PipelineStats {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final long documentsRead;
  private final long documentsWritten;
  private final long bytesRead;
  private final double seconds;
  private final int passes;
  private final Map<String, Long> problemCounts;
  private final List<InputProblems.Problem> problemExamples;
  private final List<StepStats> steps;

  PipelineStats(long documentsRead, long documentsWritten, long bytesRead, double seconds, int passes,
      InputProblems problems, List<StepStats> steps) {
    this(documentsRead, documentsWritten, bytesRead, seconds, passes, problems == null ? Map.of() : problems.counts(),
        problems == null ? List.of() : problems.examples(), steps);
  }

  PipelineStats(long documentsRead, long documentsWritten, long bytesRead, double seconds, int passes,
      Map<String, Long> problemCounts, List<InputProblems.Problem> problemExamples, List<StepStats> steps) {
    this.documentsRead = documentsRead;
    this.documentsWritten = documentsWritten;
    this.bytesRead = bytesRead;
    this.seconds = seconds;
    this.passes = passes;
    this.problemCounts = Map.copyOf(problemCounts);
    this.problemExamples = List.copyOf(problemExamples);
    this.steps = List.copyOf(steps);
  }

  public long documentsRead() {
    return documentsRead;
  }

  public long documentsWritten() {
    return documentsWritten;
  }

  /** Uncompressed input bytes (UTF-16 chars when the source is not a file reader). */
  public long bytesRead() {
    return bytesRead;
  }

  public double seconds() {
    return seconds;
  }

  public Map<String, Long> inputProblems() {
    return problemCounts;
  }

  public List<InputProblems.Problem> inputProblemExamples() {
    return problemExamples;
  }

  public List<StepStats> steps() {
    return steps;
  }

  /** The stats of the step with this name (the first one if repeated). */
  public StepStats step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No step named '" + name + "'; steps are "
            + steps.stream().map(StepStats::name).toList()));
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("documents_read", documentsRead);
    root.put("documents_written", documentsWritten);
    root.put("bytes_read", bytesRead);
    root.put("seconds", seconds);
    root.put("passes", passes);
    root.set("input_problems", JSON.valueToTree(problemCounts));
    ArrayNode ex = root.putArray("input_problem_examples");
    for (InputProblems.Problem p : problemExamples) {
      ex.addObject().put("kind", p.kind()).put("file", p.file()).put("line", p.line()).put("message", p.message());
    }
    ArrayNode arr = root.putArray("steps");
    for (StepStats s : steps) {
      ObjectNode n = arr.addObject();
      n.put("name", s.name()).put("seen", s.seen()).put("kept", s.kept()).put("dropped", s.droppedTotal())
          .put("seconds", s.seconds());
      n.set("dropped_by_reason", JSON.valueToTree(s.dropped()));
      n.set("counters", JSON.valueToTree(s.counters()));
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fixed-width table for terminals. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    double mb = bytesRead / 1e6;
    sb.append(String.format("read %,d documents (%.1f MB) in %.1f s (%.1f MB/s, %d pass%s); wrote %,d%n",
        documentsRead, mb, seconds, seconds > 0 ? mb / seconds : 0, passes, passes == 1 ? "" : "es", documentsWritten));
    if (!problemCounts.isEmpty()) {
      sb.append("input problems: ").append(problemCounts).append('\n');
    }
    sb.append(String.format("%-22s %10s %10s %10s %8s  %s%n", "step", "seen", "kept", "dropped", "seconds", "drop reasons / counters"));
    for (StepStats s : steps) {
      String detail = s.dropped().isEmpty() ? "" : s.dropped().toString();
      if (!s.counters().isEmpty()) detail += (detail.isEmpty() ? "" : " ") + s.counters();
      sb.append(String.format("%-22s %,10d %,10d %,10d %8.2f  %s%n", s.name(), s.seen(), s.kept(), s.droppedTotal(), s.seconds(), detail));
    }
    return sb.toString();
  }
}
