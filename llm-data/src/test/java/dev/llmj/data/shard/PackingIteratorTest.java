package dev.llmj.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Batches checked against a plain reference that slices the concatenated int[] directly. */
class PackingIteratorTest {
  @TempDir Path tmp;
  private int dirs;

  /** Writes {@code tokens} as a raw stream into a fresh shard directory. */
  private Path shards(int[] tokens, int vocab, long perShard) {
    Path dir = tmp.resolve("s" + dirs++);
    try (ShardWriter w = ShardWriter.create(dir, new ShardWriter.Config(vocab, -1, perShard, null))) {
      w.write(tokens, 0, tokens.length);
      w.finish();
    }
    return dir;
  }

  /** Stream whose token at position i is i, so a row's first token names its window. */
  private Path positionalShards(int n, long perShard) {
    int[] tokens = new int[n];
    Arrays.setAll(tokens, i -> i);
    return shards(tokens, n, perShard);
  }

  /** Rows of a (B, T) array as int[][] whatever its data type. */
  private static int[][] rows(INDArray a) {
    int[][] out = new int[(int) a.size(0)][(int) a.size(1)];
    for (int b = 0; b < out.length; b++) {
      for (int t = 0; t < out[b].length; t++) {
        out[b][t] = a.getInt(b, t);
      }
    }
    return out;
  }

  @Test
  void unshuffledWindowsEqualReferenceSlices() {
    SplittableRandom rnd = TestData.random("unshuffledWindowsEqualReferenceSlices");
    int checked = 0;
    for (int seqLen : new int[] {1, 7, 13}) {
      for (long perShard : new long[] {7, 13, 1000}) {
        int n = 60 + rnd.nextInt(200);
        int[] ref = rnd.ints(n, 0, 300).toArray();
        Path dir = shards(ref, 300, perShard);
        for (int batch : new int[] {1, 3, 4}) {
          for (boolean dropLast : new boolean[] {true, false}) {
            DataType type = List.of(DataType.INT32, DataType.FLOAT, DataType.INT64)
                .get(checked % 3);
            PackingIterator it = PackingIterator.open(dir, PackingConfig.of(seqLen, batch)
                .withoutShuffle().withDropLast(dropLast).withDataType(type));
            int windows = (n - 1) / seqLen;
            assertEquals(windows, it.windowsPerEpoch());
            int w = 0;
            int batches = 0;
            while (it.hasNext()) {
              DataSet ds = it.next();
              assertEquals(type, ds.getFeatures().dataType());
              int[][] f = rows(ds.getFeatures());
              int[][] l = rows(ds.getLabels());
              assertArrayEquals(ds.getFeatures().shape(), ds.getLabels().shape());
              for (int b = 0; b < f.length; b++, w++) {
                assertArrayEquals(Arrays.copyOfRange(ref, w * seqLen, w * seqLen + seqLen), f[b],
                    "features of window " + w);
                assertArrayEquals(Arrays.copyOfRange(ref, w * seqLen + 1, w * seqLen + seqLen + 1),
                    l[b], "labels of window " + w);
                checked++;
              }
              batches++;
            }
            assertEquals(it.batchesPerEpoch(), batches);
            assertEquals(dropLast ? windows / batch * batch : windows, w);
            assertEquals((long) w * seqLen, it.tokensPerEpoch());
          }
        }
      }
    }
    System.out.println(checked + " windows equal the reference slices, 0 differences");
  }

  @Test
  void shuffledEpochsArePermutationsOfTheWindows() {
    Path dir = positionalShards(3001, 997);
    int seqLen = 7;
    PackingConfig cfg = PackingConfig.of(seqLen, 5).withEpochs(3).withShuffle(42)
        .withDropLast(false);
    List<int[]> orders = visitOrders(PackingIterator.open(dir, cfg), seqLen);
    int windows = 3000 / seqLen;
    assertEquals(3, orders.size());
    for (int[] order : orders) {
      assertEquals(windows, order.length);
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      int[] identity = new int[windows];
      Arrays.setAll(identity, i -> i);
      assertArrayEquals(identity, sorted, "an epoch must visit each window exactly once");
      assertFalse(Arrays.equals(identity, order), "shuffled order equals stream order");
    }
    assertFalse(Arrays.equals(orders.get(0), orders.get(1)), "epochs share an order");
    assertArrayEquals(orders.get(0),
        visitOrders(PackingIterator.open(dir, cfg), seqLen).get(0), "same seed, other order");
    assertFalse(Arrays.equals(orders.get(0),
        visitOrders(PackingIterator.open(dir, cfg.withShuffle(43)), seqLen).get(0)));
    System.out.println("3 epochs of " + windows + " windows: each a permutation");
  }

  /** The window indices each epoch visits, read off the positional stream; rows are checked. */
  private static List<int[]> visitOrders(PackingIterator it, int seqLen) {
    List<int[]> orders = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    int epoch = 0;
    while (it.hasNext()) {
      for (int[] row : rows(it.next().getFeatures())) {
        assertEquals(0, row[0] % seqLen);
        for (int t = 0; t < seqLen; t++) {
          assertEquals(row[0] + t, row[t], "row is not one contiguous window");
        }
        current.add(row[0] / seqLen);
      }
      if (it.position().epoch() != epoch) {
        orders.add(current.stream().mapToInt(Integer::intValue).toArray());
        current.clear();
        epoch = it.position().epoch();
      }
    }
    return orders;
  }

  @Test
  void validationIsAnOrderedTailDisjointFromTraining() {
    int n = 5000;
    Path dir = positionalShards(n, 777);
    int seqLen = 13;
    PackingIterator train = PackingIterator.open(dir,
        PackingConfig.of(seqLen, 4).withShuffle(7).withValidationFraction(0.1));
    int trainTokens = n - 500;
    BitSet seen = new BitSet(n);
    while (train.hasNext()) {
      DataSet ds = train.next();
      for (int[] row : rows(ds.getLabels())) {
        assertTrue(row[seqLen - 1] < trainTokens, "training label " + row[seqLen - 1]
            + " reaches into the validation split starting at " + trainTokens);
        for (int t : row) {
          seen.set(t);
        }
      }
    }
    PackingIterator val = train.validation();
    assertEquals((500 - 1) / seqLen, val.windowsPerEpoch());
    int expectedStart = trainTokens;
    int rowsSeen = 0;
    while (val.hasNext()) {
      DataSet ds = val.next();
      for (int[] row : rows(ds.getFeatures())) {
        assertEquals(expectedStart, row[0], "validation windows are the tail, in order");
        assertFalse(seen.get(row[1]), "token " + row[1] + " is in both splits");
        expectedStart += seqLen;
        rowsSeen++;
      }
    }
    assertEquals(val.windowsPerEpoch(), rowsSeen, "validation keeps its partial last batch");
    assertThrows(IllegalStateException.class, val::validation);
    System.out.println("train labels < " + trainTokens + ", " + rowsSeen
        + " validation windows from " + trainTokens + ", overlap 0");
  }

  @Test
  void restoredIteratorContinuesWithIdenticalBatches() {
    Path dir = positionalShards(1000, 301);
    PackingConfig cfg = PackingConfig.of(7, 3).withEpochs(3).withShuffle(42);
    List<int[][]> reference = new ArrayList<>();
    PackingIterator full = PackingIterator.open(dir, cfg);
    while (full.hasNext()) {
      reference.add(rows(full.next().getFeatures()));
    }
    int perEpoch = full.batchesPerEpoch();
    assertEquals(full.totalBatches(), reference.size());
    assertEquals(3 * 47, reference.size());
    for (int k : new int[] {0, 1, perEpoch - 1, perEpoch, perEpoch + 1, 100, 140, 141}) {
      PackingIterator it = PackingIterator.open(dir, cfg);
      for (int i = 0; i < k; i++) {
        it.next();
      }
      String saved = it.position().encode();
      assertRemaining(reference, k, it, "continuing after " + saved);
      PackingIterator restored = PackingIterator.open(dir, cfg);
      restored.restore(PackingPosition.parse(saved));
      assertRemaining(reference, k, restored, "restored at " + saved);
      PackingIterator sought = PackingIterator.open(dir, cfg);
      sought.seekBatch(k);
      assertEquals(saved, sought.position().encode());
      if (k == perEpoch) {
        assertEquals("split=train,epoch=1,window=0,seed=42,shuffle=true,windows=142,seqLen=7",
            saved);
      }
    }
    System.out.println("restore at 8 points over " + reference.size()
        + " batches: remaining batches identical");
  }

  /** Rank r of W reads batches r, r + W, ... and skips the others: each read batch is the reference's. */
  @Test
  void skippingOtherRanksBatchesLeavesTheSameOrderAndPositions() {
    Path dir = positionalShards(1000, 301);
    for (boolean dropLast : new boolean[] {true, false}) {
      PackingConfig cfg = PackingConfig.of(7, 3).withEpochs(3).withShuffle(42).withDropLast(dropLast);
      List<int[][]> reference = new ArrayList<>();
      List<String> positions = new ArrayList<>();
      PackingIterator full = PackingIterator.open(dir, cfg);
      while (full.hasNext()) {
        reference.add(rows(full.next().getFeatures()));
        positions.add(full.position().encode());
      }
      assertEquals(dropLast ? 141 : 144, reference.size(), "batches over 3 epochs of 142 windows");
      for (int world : new int[] {2, 3}) {
        for (int rank = 0; rank < world; rank++) {
          PackingIterator it = PackingIterator.open(dir, cfg);
          int i = 0;
          while (it.hasNext()) {
            String what = "dropLast=" + dropLast + " rank " + rank + " of " + world + " at batch " + i;
            if (i % world == rank) {
              int[][] got = rows(it.next().getFeatures());
              assertEquals(reference.get(i).length, got.length, what);
              for (int b = 0; b < got.length; b++) {
                assertArrayEquals(reference.get(i)[b], got[b], what + " row " + b);
              }
            } else {
              it.skip();
            }
            assertEquals(positions.get(i), it.position().encode(), what);
            i++;
          }
          assertEquals(reference.size(), i, "batches read or skipped");
          assertThrows(NoSuchElementException.class, it::skip);
        }
      }
    }
  }

  private static void assertRemaining(List<int[][]> ref, int k, PackingIterator it, String what) {
    for (int i = k; i < ref.size(); i++) {
      assertTrue(it.hasNext(), what + ": ended before batch " + i);
      int[][] got = rows(it.next().getFeatures());
      for (int b = 0; b < got.length; b++) {
        assertArrayEquals(ref.get(i)[b], got[b], what + ": batch " + i + " row " + b);
      }
    }
    assertFalse(it.hasNext(), what + ": more batches than the reference");
  }

  @Test
  void dataSetIteratorContract() {
    Path dir = positionalShards(200, 64);
    PackingIterator it = PackingIterator.open(dir, PackingConfig.of(10, 4).withoutShuffle());
    assertEquals(10, it.inputColumns());
    assertEquals(200, it.totalOutcomes());
    assertEquals(4, it.batch());
    assertFalse(it.asyncSupported());
    assertTrue(it.resetSupported());
    assertNull(it.getLabels());
    INDArray first = it.next().getFeatures();
    assertArrayEquals(new long[] {4, 10}, first.shape());
    assertEquals(2, it.next(2).getFeatures().size(0));
    it.reset();
    assertEquals(first, it.next().getFeatures());
    it.setPreProcessor(ds -> ds.setFeatures(ds.getFeatures().add(1000)));
    assertEquals(1000 + 40, it.next().getFeatures().getInt(0, 0));
    while (it.hasNext()) {
      it.next();
    }
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(19 / 4, it.batchesPerEpoch());
  }

  @Test
  void errorsCarryTheNumbersAndTheFix() {
    Path dir = positionalShards(1000, 1000);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PackingIterator.open(dir, PackingConfig.of(100, 1).withValidationFraction(0.05)));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("validation split is 50 tokens")
        && e.getMessage().contains("seqLen + 1 = 101")
        && e.getMessage().contains("raise validationFraction to at least 0.101"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PackingIterator.open(dir, PackingConfig.of(100, 16)));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("9 windows") && e.getMessage().contains("batch of 16"));
    e = assertThrows(IllegalArgumentException.class, () -> PackingConfig.of(0, 1));
    assertTrue(e.getMessage().contains("seqLen is 0"));
    e = assertThrows(IllegalArgumentException.class,
        () -> PackingConfig.of(8, 1).withValidationFraction(1.0));
    assertTrue(e.getMessage().contains("validationFraction is 1.0"));
    assertThrows(IllegalArgumentException.class,
        () -> PackingConfig.of(8, 1).withDataType(DataType.BFLOAT16));
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> PackingIterator.open(dir, PackingConfig.of(8, 1)).validation());
    assertTrue(none.getMessage().contains("validationFraction is 0.0"));

    PackingIterator it = PackingIterator.open(dir, PackingConfig.of(8, 2).withShuffle(1));
    PackingPosition other = PackingIterator.open(dir, PackingConfig.of(8, 2).withShuffle(2))
        .position();
    e = assertThrows(IllegalArgumentException.class, () -> it.restore(other));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("different iterator"));
    for (String bad : new String[] {"split=train,epoch=0", "split=train,epoch=x,window=0,seed=1,"
        + "shuffle=true,windows=124,seqLen=8", "colour=red", "split=train,epoch=0,window=0,"
        + "seed=1,shuffle=maybe,windows=124,seqLen=8"}) {
      e = assertThrows(IllegalArgumentException.class, () -> PackingPosition.parse(bad));
      System.out.println(e.getMessage());
    }
    assertNotEquals(it.position(), other);
    assertEquals(it.position(), PackingPosition.parse(it.position().encode()));
  }
}
