package dev.llmj.data.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Connected components of a graph too large for the driver, on Spark: the large-star and
 * small-star operations (Kiveris et al., "Connected Components in MapReduce and Beyond", 2014)
 * alternated until the edges stop changing. Each round is a few shuffles of 16-byte edges; the
 * number of rounds grows with the logarithm of the largest component. At the end every node that
 * is not the smallest of its component has exactly one edge, to that smallest node.
 */
final class Components {
  private Components() {}

  /**
   * @param edges undirected edges, each once or more, no self-loops
   * @return {@code (node, smallest node of its component)} for every node that is not the smallest
   */
  static JavaPairRDD<Long, Long> smallest(JavaPairRDD<Long, Long> edges) {
    JavaPairRDD<Long, Long> e = orient(edges).persist(StorageLevel.MEMORY_AND_DISK());
    for (int round = 1; ; round++) {
      JavaPairRDD<Long, Long> next = smallStar(largeStar(e)).persist(StorageLevel.MEMORY_AND_DISK());
      boolean same = next.subtract(e).isEmpty() && e.subtract(next).isEmpty();
      e.unpersist(false);
      e = next;
      if (same) return e;
      if (round % 8 == 0) e.rdd().localCheckpoint(); // keeps the lineage short over many rounds
    }
  }

  /** Each edge as (larger, smaller), once. */
  private static JavaPairRDD<Long, Long> orient(JavaPairRDD<Long, Long> edges) {
    return edges.mapToPair(t -> t._1() > t._2() ? t : t.swap()).distinct();
  }

  /**
   * Large-star: every node u links each larger neighbour to the smallest node of its neighbourhood
   * (u included).
   */
  private static JavaPairRDD<Long, Long> largeStar(JavaPairRDD<Long, Long> e) {
    JavaPairRDD<Long, Long> both = e.union(e.mapToPair(Tuple2::swap));
    JavaPairRDD<Long, Long> min = both.reduceByKey(Math::min).mapToPair(t -> new Tuple2<>(t._1(), Math.min(t._1(), t._2())));
    return orient(both.join(min)
        .filter(t -> t._2()._1() > t._1()) // v > u
        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2()))
        .filter(t -> !t._1().equals(t._2())));
  }

  /**
   * Small-star: every node u links itself and each smaller neighbour to the smallest of them.
   * Edges arrive oriented (larger, smaller).
   */
  private static JavaPairRDD<Long, Long> smallStar(JavaPairRDD<Long, Long> e) {
    JavaPairRDD<Long, Long> min = e.reduceByKey(Math::min);
    return orient(e.join(min)
        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2())) // (smaller neighbour v, m)
        .union(min) // (u, m)
        .filter(t -> !t._1().equals(t._2())));
  }
}
