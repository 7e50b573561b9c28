package dev.llmj.data.pipeline;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** What one step saw, kept and dropped (per reason), its own counters, and the time it took. */
public final class StepStats {
  private final String name;
  private long seen;
  private long kept;
  private long nanos;
  private final Map<String, Long> dropped = new TreeMap<>();
  private Map<String, Long> counters = Map.of();

  StepStats(String name) {
    this.name = name;
  }

  void recordKept() {
    seen++;
    kept++;
  }

  void recordDropped(String reason) {
    seen++;
    dropped.merge(reason, 1L, Long::sum);
  }

  /** Adds counts made elsewhere: {@code kept} documents kept and the drops per reason. */
  void add(long keptMore, Map<String, Long> droppedMore) {
    seen += keptMore;
    kept += keptMore;
    droppedMore.forEach((reason, n) -> {
      seen += n;
      dropped.merge(reason, n, Long::sum);
    });
  }

  void addNanos(long n) {
    nanos += n;
  }

  void setCounters(Map<String, Long> c) {
    counters = new TreeMap<>(c);
  }

  public String name() {
    return name;
  }

  public long seen() {
    return seen;
  }

  public long kept() {
    return kept;
  }

  public long droppedTotal() {
    return seen - kept;
  }

  /** Drops per reason, sorted by reason. */
  public Map<String, Long> dropped() {
    return Collections.unmodifiableMap(dropped);
  }

  public Map<String, Long> counters() {
    return Collections.unmodifiableMap(counters);
  }

  public double seconds() {
    return nanos / 1e9;
  }
}
