package dev.llmj.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long stages (reading, tokenizing, training). On a terminal it
 * redraws in place at most five times a second; elsewhere (CI logs, pipes) it prints a plain line
 * every ten seconds, so logs stay short. {@code -Dllmj.progress=never} silences it, {@code always}
 * forces the terminal style.
 *
 * <pre>{@code
 * try (ProgressBar bar = ProgressBar.start("tokenize", totalBytes, ProgressBar.Unit.BYTES)) {
 *   bar.update(bytesDone, "docs=" + docs);
 * }
 * }</pre>
 */
public final class ProgressBar implements AutoCloseable {

  /** How amounts are shown. */
  public enum Unit {
    BYTES, COUNT
  }

  private static final int WIDTH = 24;

  private final String label;
  private final long total;
  private final Unit unit;
  private final PrintStream out;
  private final boolean inPlace;
  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private long lastDraw;
  private long done;
  private String extra = "";
  private boolean closed;

  private ProgressBar(String label, long total, Unit unit, PrintStream out, String mode) {
    this.label = label;
    this.total = total;
    this.unit = unit;
    this.out = "never".equals(mode) ? null : out;
    this.inPlace = "always".equals(mode) || ("auto".equals(mode) && System.console() != null);
    this.intervalNanos = inPlace ? 200_000_000L : 10_000_000_000L;
    this.lastDraw = System.nanoTime();
  }

  /** A bar on {@code System.err}; {@code total <= 0} when the amount of work is unknown. */
  public static ProgressBar start(String label, long total, Unit unit) {
    return new ProgressBar(label, total, unit, System.err, System.getProperty("llmj.progress", "auto"));
  }

  /** A bar on the given stream; {@code mode} is {@code auto}, {@code always} or {@code never}. */
  public static ProgressBar start(String label, long total, Unit unit, PrintStream out, String mode) {
    if (!mode.equals("auto") && !mode.equals("always") && !mode.equals("never")) {
      throw new IllegalArgumentException("progress mode '" + mode + "' unknown; use auto, always or never");
    }
    return new ProgressBar(label, total, unit, out, mode);
  }

  /** Sets the amount done so far and a short free-form suffix; redraws when due. */
  public synchronized void update(long doneSoFar, String suffix) {
    this.done = doneSoFar;
    this.extra = suffix == null ? "" : suffix;
    long now = System.nanoTime();
    if (now - lastDraw >= intervalNanos) {
      lastDraw = now;
      draw(false);
    }
  }

  /** Draws the final state and ends the line. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      draw(true);
    }
  }

  /** The line as it would be drawn now. */
  synchronized String render() {
    double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    double rate = done / seconds;
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (total > 0) {
      double f = Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(f * WIDTH);
      sb.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
      sb.append(String.format(Locale.ROOT, "%3.0f%% ", 100 * f));
    }
    sb.append(amount(done));
    if (total > 0) {
      sb.append('/').append(amount(total));
    }
    sb.append(' ').append(amount((long) rate)).append("/s");
    if (total > 0 && done > 0 && done < total) {
      sb.append(" ETA ").append(clock((total - done) / rate));
    } else {
      sb.append(' ').append(clock(seconds));
    }
    if (!extra.isEmpty()) {
      sb.append(' ').append(extra);
    }
    return sb.toString();
  }

  private void draw(boolean last) {
    if (out == null) {
      return;
    }
    String line = render();
    if (inPlace) {
      out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  private String amount(long v) {
    if (unit == Unit.COUNT) {
      return v < 10_000 ? Long.toString(v) : String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    if (v < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KB", v / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", v / (1024.0 * 1024.0));
  }

  static String clock(double seconds) {
    long s = (long) Math.max(0, seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
