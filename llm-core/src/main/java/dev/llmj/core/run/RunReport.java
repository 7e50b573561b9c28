package dev.llmj.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of a run folder: {@code loss.png} (training and validation loss against step, learning
 * rate on a second axis) drawn with XChart from {@code metrics.jsonl}, and {@code report.html}, one
 * self-contained page (the PNG inlined) with the evaluation, the data stats and the samples from
 * {@code summary.json} when the run has one. {@code llm report} is this class.
 *
 * <pre>{@code
 * TrainResult r = PretrainRun.read(Path.of("run.json")).run();
 * Path html = RunReport.write(Path.of("runs/sotu-small"));  // also writes loss.png beside it
 * }</pre>
 */
public final class RunReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunReport() {}

  /**
   * Writes loss.png and report.html into {@code run}, replacing earlier ones; returns the HTML file.
   *
   * @throws IllegalArgumentException when {@code run} has no {@code metrics.jsonl} with a training step,
   *     or a line of it is not JSON
   */
  public static Path write(Path run) throws IOException {
    Path metrics = run.resolve("metrics.jsonl");
    if (!Files.isRegularFile(metrics)) {
      throw new IllegalArgumentException(run + " has no metrics.jsonl; is it a run folder?");
    }
    List<double[]> train = new ArrayList<>(); // step, loss, lr
    List<double[]> val = new ArrayList<>();   // step, val_loss
    int lineNo = 0;
    for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        throw new IllegalArgumentException(metrics + " line " + lineNo + " is not JSON: " + e.getMessage());
      }
      if (n.has("val_loss")) {
        val.add(new double[] {n.path("step").asDouble(), n.path("val_loss").asDouble()});
      } else if (n.has("loss")) {
        train.add(new double[] {n.path("step").asDouble(), n.path("loss").asDouble(), n.path("lr").asDouble()});
      }
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException(metrics + " has no training steps yet");
    }
    Path png = run.resolve("loss.png");
    BitmapEncoder.saveBitmap(chart(train, val), png.toString(), BitmapEncoder.BitmapFormat.PNG);
    Path html = run.resolve("report.html");
    Files.writeString(html, html(run, Files.readAllBytes(png), train, val), StandardCharsets.UTF_8);
    return html;
  }

  private static XYChart chart(List<double[]> train, List<double[]> val) {
    XYChart c = new XYChartBuilder().width(900).height(480).title("Loss and learning rate")
        .xAxisTitle("step").yAxisTitle("loss (nats)").build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotBackgroundColor(Color.WHITE);
    c.getStyler().setMarkerSize(6);
    c.setYAxisGroupTitle(1, "learning rate");
    XYSeries t = c.addSeries("training loss", column(train, 0), column(train, 1));
    t.setMarker(SeriesMarkers.NONE);
    t.setLineColor(new Color(31, 119, 180));
    if (!val.isEmpty()) {
      XYSeries v = c.addSeries("validation loss", column(val, 0), column(val, 1));
      v.setLineColor(new Color(214, 39, 40));
      v.setMarkerColor(new Color(214, 39, 40));
    }
    XYSeries lr = c.addSeries("learning rate", column(train, 0), column(train, 2));
    lr.setYAxisGroup(1);
    lr.setMarker(SeriesMarkers.NONE);
    lr.setLineColor(new Color(127, 127, 127));
    lr.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    return c;
  }

  private static double[] column(List<double[]> rows, int i) {
    return rows.stream().mapToDouble(r -> r[i]).toArray();
  }

  private static String html(Path run, byte[] png, List<double[]> train, List<double[]> val) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>llmj run ").append(Html.escape(run.getFileName() + ""))
        .append("</title><style>body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}"
            + "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}"
            + "td.n{text-align:right;font-variant-numeric:tabular-nums}blockquote{margin:.6em 0;padding:.5em 1em;"
            + "background:#f6f6f6;border-left:4px solid #1f77b4}img{max-width:100%}</style></head><body>");
    b.append("<h1>Run ").append(Html.escape(run.getFileName() + "")).append("</h1>");
    double[] last = train.get(train.size() - 1);
    b.append("<p>").append(train.size()).append(" training steps; last training loss ")
        .append(fmt(last[1])).append(" nats");
    if (!val.isEmpty()) {
      b.append("; last validation loss ").append(fmt(val.get(val.size() - 1)[1])).append(" nats");
    }
    b.append(".</p><img alt=\"training and validation loss, learning rate\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\">");
    Path summaryFile = run.resolve("summary.json");
    if (Files.isRegularFile(summaryFile)) {
      JsonNode s = JSON.readTree(summaryFile.toFile());
      JsonNode e = s.path("evaluation");
      if (!e.isMissingNode()) {
        b.append("<h2>Evaluation on held-out text</h2><table>");
        row(b, "validation loss (nats)", e.path("val_loss").asDouble());
        row(b, "perplexity", e.path("perplexity").asDouble());
        row(b, "bits per byte", e.path("bits_per_byte").asDouble());
        row(b, "unigram baseline (nats)", e.path("unigram_loss").asDouble());
        b.append("<tr><td>steps / tokens</td><td class=n>").append(e.path("steps").asLong()).append(" / ")
            .append(String.format(Locale.ROOT, "%,d", e.path("tokens").asLong())).append("</td></tr></table>");
      }
      if (s.path("samples").isArray()) {
        b.append("<h2>Samples</h2>");
        for (JsonNode x : s.path("samples")) {
          b.append("<blockquote><b>").append(Html.escape(x.path("prompt").asText())).append("</b>")
              .append(Html.escape(x.path("completion").asText())).append("</blockquote>");
        }
      }
      JsonNode data = s.path("data");
      if (data.path("steps").isArray()) {
        b.append("<h2>Data pipeline</h2><table><tr><th>step</th><th>seen</th><th>kept</th><th>dropped</th></tr>");
        for (JsonNode st : data.path("steps")) {
          b.append("<tr><td>").append(Html.escape(st.path("name").asText())).append("</td><td class=n>")
              .append(st.path("seen").asLong()).append("</td><td class=n>").append(st.path("kept").asLong())
              .append("</td><td class=n>").append(st.path("dropped").asLong()).append("</td></tr>");
        }
        b.append("</table>");
      }
    }
    b.append("</body></html>\n");
    return b.toString();
  }

  private static void row(StringBuilder b, String k, double v) {
    b.append("<tr><td>").append(k).append("</td><td class=n>").append(fmt(v)).append("</td></tr>");
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
