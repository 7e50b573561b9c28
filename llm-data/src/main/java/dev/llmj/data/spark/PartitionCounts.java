package dev.llmj.data.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.io.InputProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the writing task of one input file counted, returned to the driver as JSON (a few hundred
 * bytes, never a document): documents read and written, per step the documents kept, the drops
 * per reason, the step's own counters and its time, and the input problems with file and line.
 */
record PartitionCounts(long read, long written, long bytes, long[] kept, List<Map<String, Long>> dropped,
    List<Map<String, Long>> counters, long[] nanos, Map<String, Long> problems, List<InputProblems.Problem> examples,
    long tokens) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** As many examples as the in-process reader keeps. */
  static final int MAX_EXAMPLES = 200;

  static PartitionCounts empty(int steps) {
    List<Map<String, Long>> d = new ArrayList<>();
    List<Map<String, Long>> c = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      d.add(new TreeMap<>());
      c.add(new TreeMap<>());
    }
    return new PartitionCounts(0, 0, 0, new long[steps], d, c, new long[steps], new TreeMap<>(), new ArrayList<>(), 0);
  }

  /** The sum of this (earlier files) and {@code o} (later files): examples keep input order. */
  PartitionCounts plus(PartitionCounts o) {
    PartitionCounts sum = empty(kept.length);
    for (PartitionCounts p : List.of(this, o)) {
      for (int i = 0; i < kept.length; i++) {
        sum.kept[i] += p.kept[i];
        sum.nanos[i] += p.nanos[i];
        Map<String, Long> d = sum.dropped.get(i);
        Map<String, Long> c = sum.counters.get(i);
        p.dropped.get(i).forEach((k, v) -> d.merge(k, v, Long::sum));
        p.counters.get(i).forEach((k, v) -> c.merge(k, v, Long::sum));
      }
      p.problems.forEach((k, v) -> sum.problems.merge(k, v, Long::sum));
      for (InputProblems.Problem e : p.examples) if (sum.examples.size() < MAX_EXAMPLES) sum.examples.add(e);
    }
    return new PartitionCounts(read + o.read, written + o.written, bytes + o.bytes, sum.kept, sum.dropped, sum.counters,
        sum.nanos, sum.problems, sum.examples, tokens + o.tokens);
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PartitionCounts fromJson(String json) {
    try {
      return JSON.readValue(json, PartitionCounts.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
