package dev.llmj.core.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Results as a table for people and as JSON for tools. The JSON holds {@code config} (what was run) and
 * {@code results}: per task {@code n}, {@code shots} and each metric with {@code <metric>_stderr} where one is
 * defined (NaN is written as null).
 *
 * <pre>{@code
 * System.out.print(EvalReport.table(results));
 * Files.writeString(Path.of("results.json"), EvalReport.json(results, Map.of("model", "runs/a")));
 * }</pre>
 */
public final class EvalReport {

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private EvalReport() {}

  /** One row per metric: task, n, metric, value, stderr. */
  public static String table(List<TaskResult> results) {
    int width = "task".length();
    for (TaskResult r : results) {
      width = Math.max(width, r.task().length());
    }
    String row = "%-" + width + "s  %7s  %-16s  %12s  %9s%n";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, row, "task", "n", "metric", "value", "stderr"));
    for (TaskResult r : results) {
      for (Metric m : r.metrics()) {
        sb.append(String.format(Locale.ROOT, row, r.task(), r.n(), m.name(), number(m.value()),
            Double.isNaN(m.stderr()) ? "" : String.format(Locale.ROOT, "%.4f", m.stderr())));
      }
    }
    return sb.toString();
  }

  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) > 1 && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 1000 ? "%.2f" : "%.4f", v);
  }

  public static String json(List<TaskResult> results, Map<String, ?> config) {
    ObjectNode root = JSON.createObjectNode();
    root.set("config", JSON.valueToTree(config));
    ObjectNode all = root.putObject("results");
    for (TaskResult r : results) {
      ObjectNode t = all.putObject(r.task());
      t.put("n", r.n());
      t.put("shots", r.shots());
      for (Metric m : r.metrics()) {
        putNumber(t, m.name(), m.value());
        if (!Double.isNaN(m.stderr())) {
          t.put(m.name() + "_stderr", m.stderr());
        }
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void putNumber(ObjectNode node, String name, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      node.putNull(name);
    } else {
      node.put(name, v);
    }
  }
}
