package dev.llmj.data.spark;

import dev.llmj.data.pipeline.DistributedSteps;
import dev.llmj.data.pipeline.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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

  /**
   * @param collectEdges near-dedup edge lists up to this size are closed on the driver with the
   *     in-process union-find (at most about 200 bytes an edge there); larger ones on Spark
   */
  Dedups(JavaSparkContext sc, long collectEdges) {
    this.sc = sc;
    this.collectEdges = collectEdges;
  }

  /**
   * @param keys {@code (dedup step, identity, key)} from the first pass
   * @return per dedup step index, its {@code (identity, step)} losers; counters set on {@code counters}
   */
  JavaPairRDD<Long, Integer> settle(List<Step> steps, JavaRDD<Tuple3<Integer, Long, long[]>> keys,
      List<Map<String, Long>> counters) {
    JavaPairRDD<Long, Integer> losers = sc.parallelizePairs(new ArrayList<Tuple2<Long, Integer>>(), 1);
    for (int s = 0; s < steps.size(); s++) {
      Step step = steps.get(s);
      DistributedSteps.Kind kind = DistributedSteps.kind(step);
      if (kind == DistributedSteps.Kind.PER_DOCUMENT) continue;
      int index = s;
      JavaPairRDD<Long, long[]> reaching = keys.filter(t -> t._1() == index)
          .mapToPair(t -> new Tuple2<>(t._2(), t._3()))
          .subtractByKey(losers);
      Settled settled = kind == DistributedSteps.Kind.EXACT_DEDUP
          ? exact(step, reaching)
          : near(step, reaching);
      counters.set(s, settled.counters());
      JavaPairRDD<Long, Integer> lost = settled.losers().mapToPair(id -> new Tuple2<>(id, index));
      losers = losers.union(lost).persist(StorageLevel.MEMORY_AND_DISK());
      losers.count();
    }
    return losers;
  }

  /**
   * Keeps the smallest identity per key. The in-process step remembers at most
   * {@link DistributedSteps#maxDistinct} keys: the documents of a key first met after that many
   * others are all kept and counted as unchecked, here as there.
   */
  private Settled exact(Step step, JavaPairRDD<Long, long[]> reaching) {
    JavaPairRDD<Tuple2<Long, Long>, Long> byKey = reaching.mapToPair(t -> new Tuple2<>(new Tuple2<>(t._2()[0], t._2()[1]), t._1()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Tuple2<Long, Long>, Long> first = byKey.reduceByKey(Math::min).persist(StorageLevel.MEMORY_AND_DISK());
    long distinct = first.count();
    long max = DistributedSteps.maxDistinct(step);
    long unchecked = 0;
    JavaPairRDD<Tuple2<Long, Long>, Long> checked = first;
    if (distinct > max) {
      // Keys ranked by their first document; those ranked past the table's size were never checked.
      JavaPairRDD<Tuple2<Long, Long>, Long> late = first.mapToPair(Tuple2::swap).sortByKey().zipWithIndex()
          .filter(t -> t._2() >= max)
          .mapToPair(t -> new Tuple2<>(t._1()._2(), t._1()._1()));
      unchecked = byKey.join(late).count();
      checked = first.subtractByKey(late);
    }
    JavaRDD<Long> losers = byKey.join(checked).filter(t -> !t._2()._1().equals(t._2()._2())).map(t -> t._2()._1());
    return new Settled(losers, DistributedSteps.dedupCounters(step, Math.min(distinct, max), unchecked));
  }

  /**
   * Joins each document to the smallest identity of every band bucket it is in, then closes the
   * clusters: with the in-process union-find on the driver when the edges are few, else with
   * {@link Components} on Spark. Keeps each cluster's smallest identity.
   */
  private Settled near(Step step, JavaPairRDD<Long, long[]> reaching) {
    JavaPairRDD<Long, Long> byBand = reaching.filter(t -> t._2() != null)
        .flatMapToPair(t -> {
          List<Tuple2<Long, Long>> out = new ArrayList<>(t._2().length);
          for (long band : t._2()) out.add(new Tuple2<>(band, t._1()));
          return out.iterator();
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Long, Long> first = byBand.reduceByKey(Math::min);
    JavaPairRDD<Long, Long> edges = byBand.join(first)
        .filter(t -> !t._2()._1().equals(t._2()._2()))
        .mapToPair(t -> t._2())
        .distinct()
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = edges.count();
    JavaPairRDD<Long, Long> toFirst;
    if (n <= collectEdges) {
      List<Tuple2<Long, Long>> list = edges.collect();
      long[] a = new long[list.size()];
      long[] b = new long[list.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = list.get(i)._1();
        b[i] = list.get(i)._2();
      }
      long[][] c = DistributedSteps.clusters(a, b);
      List<Tuple2<Long, Long>> pairs = new ArrayList<>(c[0].length);
      for (int i = 0; i < c[0].length; i++) pairs.add(new Tuple2<>(c[0][i], c[1][i]));
      toFirst = sc.parallelizePairs(pairs, Math.max(1, sc.defaultParallelism()));
    } else {
      toFirst = Components.smallest(edges);
    }
    toFirst = toFirst.persist(StorageLevel.MEMORY_AND_DISK());
    long members = toFirst.count();
    long clusters = toFirst.values().distinct().count();
    byBand.unpersist(false);
    return new Settled(toFirst.keys(), DistributedSteps.dedupCounters(step, clusters, members + clusters));
  }
}
