package dev.llmj.data.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** The in-memory parts of the Spark job, against plain references: the smallest identity per key, and the file order. */
class SettleUnitsTest {
  private static final long SEED = Long.getLong("tests.seed", 20261203L);

  /**
   * Keys that share their low or high half (so the table must compare both halves), many records a
   * key, identities in random order; compared with a HashMap of the minimum per key.
   */
  @Test
  void smallestPerKeyMatchesAMapOfMinima() {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    Random r = new Random(SEED);
    for (int round = 0; round < 20; round++) {
      int n = 1 + r.nextInt(5000);
      int distinct = 1 + r.nextInt(n);
      long[][] keys = new long[distinct][];
      for (int k = 0; k < distinct; k++) {
        // Halves drawn from a few values: many keys agree on one half.
        keys[k] = new long[] {r.nextInt(40) - 20, r.nextInt(3) == 0 ? 0 : r.nextLong()};
      }
      List<Long> ids = new ArrayList<>();
      for (long i = 0; i < n; i++) ids.add(i * 7919 + r.nextInt(7));
      java.util.Collections.shuffle(ids, r);
      Dedups.Smallest s = new Dedups.Smallest();
      Map<List<Long>, Long> min = new HashMap<>();
      long[][] recordKey = new long[n][];
      for (int i = 0; i < n; i++) {
        long[] k = keys[r.nextInt(distinct)];
        recordKey[i] = k;
        s.add(k[0], k[1], ids.get(i));
        min.merge(List.of(k[0], k[1]), ids.get(i), Math::min);
      }
      assertEquals(min.size(), s.keys(), "distinct keys, round " + round);
      List<Long> others = new ArrayList<>();
      List<Tuple2<Long, Long>> edges = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long first = min.get(List.of(recordKey[i][0], recordKey[i][1]));
        if (ids.get(i) != first) {
          others.add(ids.get(i));
          edges.add(new Tuple2<>(ids.get(i), first));
        }
      }
      assertArrayEquals(others.stream().mapToLong(Long::longValue).toArray(), s.others(), "round " + round);
      assertEquals(edges, s.edges(), "round " + round);
    }
  }

  @Test
  void largestFilesGoFirstAndEachFileToItsPartition() {
    long[] bytes = {300, 900, 300, 50, 900, 0};
    SparkPrepare.FileSlots slots = SparkPrepare.FileSlots.largestFirst(bytes);
    assertEquals(List.of(1, 4, 0, 2, 3, 5), slots.files(), "by size, ties in input order");
    assertEquals(bytes.length, slots.numPartitions());
    for (int p = 0; p < bytes.length; p++) assertEquals(p, slots.getPartition(slots.files().get(p)));
    assertEquals(List.of(0), SparkPrepare.FileSlots.largestFirst(new long[] {7}).files());
    assertArrayEquals(new long[0], new Dedups.Smallest().others());
    assertEquals(List.of(), new Dedups.Smallest().edges());
  }
}
