package dev.llmj.data.spark;

import dev.llmj.data.pipeline.DistributedSteps;
import dev.llmj.data.pipeline.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.Tuple3;

/**
 * Settles the dedup steps on the driver's orders, from the keys of the first pass alone (16 to
 * 120 bytes a document, never a text): which documents each dedup step drops, and its counters.
 * The steps are settled in pipeline order, because only the documents that survive an earlier
 * dedup step reach a later one.
 */
final class Dedups {
  /** The documents a dedup step drops, and its counters. */
  record Settled(JavaRDD<Long> losers, Map<String, Long> counters) {}

  private final JavaSparkContext sc;
  private final long collectEdges;
  /** Sent to the executors; the losers' lineage reads them until the job's last pass is done. */
  private final List<Broadcast<long[]>> broadcasts = new ArrayList<>();

  /**
   * @param collectEdges near-dedup edge lists up to this size are closed on the driver with the
   *     in-process union-find (at most about 200 bytes an edge there), larger ones on Spark; and
   *     the documents dropped by earlier dedup steps, up to this many, are sent to the executors
   *     (8 bytes each) rather than shuffled against the next step's keys
   */
  Dedups(JavaSparkContext sc, long collectEdges) {
    this.sc = sc;
    this.collectEdges = collectEdges;
  }

  /**
   * @param keys {@code (dedup step, identity, key)} from the first pass, as columns, one element per input file
   * @return per dedup step index, its {@code (identity, step)} losers; counters set on {@code counters}
   */
  JavaPairRDD<Long, Integer> settle(List<Step> steps, JavaRDD<Tuple3<int[], long[], long[][]>> keys,
      List<Map<String, Long>> counters) {
    // Each step's records are shuffled once, by key, into these partitions; each partition then
    // finds its keys' smallest identities in memory (Smallest), with no further shuffle.
    Partitioner byKey = new HashPartitioner(Math.max(sc.defaultParallelism(), keys.getNumPartitions()));
    JavaPairRDD<Long, Integer> losers = null;
    // The identities dropped so far, sorted, on every executor when few: the next step's records
    // are then filtered where they are instead of shuffled against the losers.
    Broadcast<long[]> dropped = null;
    int last = TaskSettings.lastDedup(TaskSettings.kinds(steps));
    for (int s = 0; s <= last; s++) {
      Step step = steps.get(s);
      DistributedSteps.Kind kind = DistributedSteps.kind(step);
      if (kind == DistributedSteps.Kind.PER_DOCUMENT) continue;
      int index = s;
      JavaPairRDD<Long, long[]> reaching = keys.flatMapToPair(t -> {
        List<Tuple2<Long, long[]>> out = new ArrayList<>();
        for (int i = 0; i < t._1().length; i++) if (t._1()[i] == index) out.add(new Tuple2<>(t._2()[i], t._3()[i]));
        return out.iterator();
      });
      if (dropped != null) {
        Broadcast<long[]> ids = dropped;
        reaching = reaching.filter(t -> Arrays.binarySearch(ids.value(), t._1()) < 0);
      } else if (losers != null) {
        reaching = reaching.subtractByKey(losers);
      }
      Settled settled = kind == DistributedSteps.Kind.EXACT_DEDUP
          ? exact(step, reaching, byKey)
          : near(step, reaching, byKey);
      counters.set(s, settled.counters());
      JavaPairRDD<Long, Integer> lost = settled.losers().mapToPair(id -> new Tuple2<>(id, index));
      losers = (losers == null ? lost : losers.union(lost)).persist(StorageLevel.MEMORY_AND_DISK());
      if (s < last) {
        dropped = losers.count() <= collectEdges
            ? sc.broadcast(losers.keys().collect().stream().mapToLong(Long::longValue).sorted().toArray())
            : null;
        if (dropped != null) broadcasts.add(dropped);
      }
    }
    return losers != null ? losers : sc.parallelizePairs(new ArrayList<>(), 1);
  }

  /** Frees what {@link #settle} sent to the executors; call when the RDDs it returned are no longer used. */
  void release() {
    for (Broadcast<long[]> b : broadcasts) b.destroy();
    broadcasts.clear();
  }

  /**
   * Keeps the smallest identity per key. The in-process step remembers at most
   * {@link DistributedSteps#maxDistinct} keys: the documents of a key first met after that many
   * others are all kept and counted as unchecked, here as there.
   */
  private Settled exact(Step step, JavaPairRDD<Long, long[]> reaching, Partitioner partitioner) {
    JavaPairRDD<Tuple2<Long, Long>, Long> byKey = reaching.mapToPair(t -> new Tuple2<>(new Tuple2<>(t._2()[0], t._2()[1]), t._1()))
        .partitionBy(partitioner);
    // Per partition, one element: (distinct keys, the identities that are not their key's smallest).
    JavaRDD<Tuple2<Long, long[]>> settled = byKey.mapPartitions(records -> {
      Smallest first = new Smallest();
      while (records.hasNext()) {
        Tuple2<Tuple2<Long, Long>, Long> r = records.next();
        first.add(r._1()._1(), r._1()._2(), r._2());
      }
      return List.of(new Tuple2<>((long) first.keys(), first.others())).iterator();
    }).persist(StorageLevel.MEMORY_AND_DISK());
    long distinct = settled.map(Tuple2::_1).fold(0L, Long::sum);
    long max = DistributedSteps.maxDistinct(step);
    if (distinct <= max) {
      JavaRDD<Long> losers = settled.flatMap(t -> Arrays.stream(t._2()).boxed().iterator());
      return new Settled(losers, DistributedSteps.dedupCounters(step, distinct, 0));
    }
    settled.unpersist(false);
    // Keys ranked by their first document; those ranked past the table's size were never checked.
    JavaPairRDD<Tuple2<Long, Long>, Long> first = byKey.reduceByKey(partitioner, Math::min).persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Tuple2<Long, Long>, Long> late = first.mapToPair(Tuple2::swap).sortByKey().zipWithIndex()
        .filter(t -> t._2() >= max)
        .mapToPair(t -> new Tuple2<>(t._1()._2(), t._1()._1()));
    long unchecked = byKey.join(late).count();
    JavaRDD<Long> losers = byKey.join(first.subtractByKey(late)).filter(t -> !t._2()._1().equals(t._2()._2())).map(t -> t._2()._1());
    return new Settled(losers, DistributedSteps.dedupCounters(step, max, unchecked));
  }

  /**
   * Joins each document to the smallest identity of every band bucket it is in, then closes the
   * clusters: with the in-process union-find on the driver when the edges are few, else with
   * {@link Components} on Spark. Keeps each cluster's smallest identity.
   */
  private Settled near(Step step, JavaPairRDD<Long, long[]> reaching, Partitioner partitioner) {
    JavaPairRDD<Long, Long> edges = reaching.filter(t -> t._2() != null)
        .flatMapToPair(t -> {
          List<Tuple2<Long, Long>> out = new ArrayList<>(t._2().length);
          for (long band : t._2()) out.add(new Tuple2<>(band, t._1()));
          return out.iterator();
        })
        .partitionBy(partitioner)
        .mapPartitionsToPair(records -> {
          Smallest first = new Smallest();
          while (records.hasNext()) {
            Tuple2<Long, Long> r = records.next();
            first.add(r._1(), 0, r._2());
          }
          return first.edges().iterator();
        })
        .distinct()
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = edges.count();
    try {
      if (n > collectEdges) {
        JavaPairRDD<Long, Long> toFirst = Components.smallest(edges).persist(StorageLevel.MEMORY_AND_DISK());
        long members = toFirst.count();
        long clusters = toFirst.values().distinct().count();
        return new Settled(toFirst.keys(), DistributedSteps.dedupCounters(step, clusters, members + clusters));
      }
      List<Tuple2<Long, Long>> list = edges.collect();
      long[] a = new long[list.size()];
      long[] b = new long[list.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = list.get(i)._1();
        b[i] = list.get(i)._2();
      }
      long[][] c = DistributedSteps.clusters(a, b);
      List<Long> members = new ArrayList<>(c[0].length);
      for (long m : c[0]) members.add(m);
      long clusters = Arrays.stream(c[1]).distinct().count();
      return new Settled(sc.parallelize(members, Math.max(1, sc.defaultParallelism())),
          DistributedSteps.dedupCounters(step, clusters, members.size() + clusters));
    } finally {
      edges.unpersist(false);
    }
  }

  /**
   * The smallest identity per 128-bit key among the records of one partition, held in arrays: a
   * partition of a dedup stage is in memory at once, 32 to 64 bytes a record (a document for exact
   * dedup, a band of a document for MinHash).
   */
  static final class Smallest {
    private long[] lo = new long[1024];
    private long[] hi = new long[1024];
    private long[] ids = new long[1024];
    private int n;
    // Open addressing over record indexes, load at most 1/2: slot -> index + 1 of the key's smallest record.
    private int[] table = new int[2048];
    private int keys;

    void add(long a, long b, long id) {
      if (n == ids.length) {
        lo = Arrays.copyOf(lo, 2 * n);
        hi = Arrays.copyOf(hi, 2 * n);
        ids = Arrays.copyOf(ids, 2 * n);
      }
      lo[n] = a;
      hi[n] = b;
      ids[n] = id;
      int i = slot(a, b);
      if (table[i] == 0) {
        table[i] = n + 1;
        if (++keys * 2 > table.length) grow();
      } else if (id < ids[table[i] - 1]) {
        table[i] = n + 1;
      }
      n++;
    }

    int keys() {
      return keys;
    }

    /** The identities that are not their key's smallest. */
    long[] others() {
      long[] out = new long[n - keys];
      int m = 0;
      for (int r = 0; r < n; r++) if (ids[r] != first(r)) out[m++] = ids[r];
      return out;
    }

    /** (identity, its key's smallest identity) for every record that is not the smallest. */
    List<Tuple2<Long, Long>> edges() {
      List<Tuple2<Long, Long>> out = new ArrayList<>();
      for (int r = 0; r < n; r++) if (ids[r] != first(r)) out.add(new Tuple2<>(ids[r], first(r)));
      return out;
    }

    /** The smallest identity of record {@code r}'s key. */
    private long first(int r) {
      return ids[table[slot(lo[r], hi[r])] - 1];
    }

    /** The slot of key (a, b): empty, or holding a record with that key. */
    private int slot(long a, long b) {
      int mask = table.length - 1;
      int i = start(a, b);
      for (int t; (t = table[i]) != 0; i = (i + 1) & mask) {
        if (lo[t - 1] == a && hi[t - 1] == b) return i;
      }
      return i;
    }

    /** Fibonacci hashing: the top bits of the folded key times 2^64/phi. */
    private int start(long a, long b) {
      return (int) (((a ^ Long.rotateLeft(b, 29)) * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(table.length)));
    }

    private void grow() {
      int[] old = table;
      table = new int[2 * old.length];
      int mask = table.length - 1;
      for (int t : old) {
        if (t == 0) continue;
        int i = start(lo[t - 1], hi[t - 1]);
        while (table[i] != 0) i = (i + 1) & mask;
        table[i] = t;
      }
    }
  }
}
