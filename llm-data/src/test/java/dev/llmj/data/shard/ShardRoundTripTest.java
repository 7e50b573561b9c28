package dev.llmj.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens written equal tokens read, compared with the plain concatenated int[]. */
class ShardRoundTripTest {
  @TempDir Path tmp;

  @Test
  void roundTripAcrossRolloverBoundariesAndDtypes() throws IOException {
    SplittableRandom rnd = TestData.random("roundTripAcrossRolloverBoundariesAndDtypes");
    int worst = 0;
    for (int vocab : new int[] {257, 65536, 65537, 1 << 20}) {
      for (long perShard : new long[] {1, 7, 13, 4098}) {
        // Every shard costs two fsyncs, so tiny shards get a short stream.
        int docCount = perShard == 1 ? 4 : perShard < 100 ? 12 : 40;
        List<int[]> docs = TestData.tokenDocs(rnd, docCount, perShard == 1 ? 10 : 60, vocab - 1);
        docs.add(new int[] {vocab - 1, 0, vocab - 1}); // extremes of the dtype range
        int eot = vocab - 2;
        int[] expected = TestData.concatWithEot(docs, eot);
        Path dir = tmp.resolve("v" + vocab + "-s" + perShard);
        ShardIndex index;
        try (ShardWriter w = ShardWriter.create(dir,
            new ShardWriter.Config(vocab, eot, perShard, "hash-" + vocab))) {
          docs.forEach(w::writeDocument);
          index = w.finish();
        }
        assertEquals(expected.length, index.totalTokens());
        assertEquals(docs.size(), index.totalDocuments());
        assertEquals((expected.length + perShard - 1) / perShard, index.shards().size());
        for (int i = 0; i < index.shards().size() - 1; i++) {
          assertEquals(perShard, index.shards().get(i).tokens(), "shard " + i + " not full");
        }
        assertEquals(index, ShardIndex.read(dir), "index.json round trip");
        int width = vocab <= 65536 ? 2 : 4;
        Path first = dir.resolve("shard-00000.bin");
        assertEquals(ShardFormat.HEADER_BYTES + width * index.shards().get(0).tokens(),
            Files.size(first));
        try (Stream<Path> files = Files.list(dir)) {
          assertFalse(files.anyMatch(AtomicFiles::isTemporary), "temp files left");
        }

        TokenStream stream = TokenStream.openDirectory(dir);
        int[] actual = new int[expected.length];
        stream.read(0, actual, 0, actual.length);
        worst = Math.max(worst, mismatches(expected, actual));
        assertArrayEquals(expected, actual, "vocab " + vocab + ", tokens per shard " + perShard);
        for (int k = 0; k < 50; k++) { // random slices crossing shard boundaries
          int start = rnd.nextInt(expected.length);
          int len = rnd.nextInt(expected.length - start + 1);
          int[] got = new int[len + 3];
          stream.read(start, got, 3, len);
          for (int j = 0; j < len; j++) {
            assertEquals(expected[start + j], got[3 + j], "slice at " + start);
          }
        }
        for (ShardReader r : stream.shards()) {
          r.validate();
        }
      }
    }
    System.out.println("round trip: worst mismatch count " + worst);
  }

  @Test
  void chunkedMappingMatchesSingleBuffer() {
    // Shards over 2 GB are mapped in chunks; tiny chunks exercise the same boundary code.
    SplittableRandom rnd = TestData.random("chunkedMappingMatchesSingleBuffer");
    for (int vocab : new int[] {300, 100_000}) {
      List<int[]> docs = TestData.tokenDocs(rnd, 30, 50, vocab - 1);
      int[] expected = TestData.concatWithEot(docs, vocab - 1);
      Path dir = tmp.resolve("chunks-" + vocab);
      try (ShardWriter w = ShardWriter.create(dir, ShardWriter.Config.of(vocab, vocab - 1))) {
        docs.forEach(w::writeDocument);
        w.finish();
      }
      Path file = dir.resolve(ShardWriter.shardName(0));
      for (long chunk : new long[] {4, 8, 12, 1 << 10}) {
        ShardReader r = ShardReader.open(file, chunk);
        assertArrayEquals(expected, r.read(0, expected.length), "chunk " + chunk);
        for (int k = 0; k < 200; k++) {
          int i = rnd.nextInt(expected.length);
          assertEquals(expected[i], r.token(i), "token(" + i + ") chunk " + chunk);
        }
      }
    }
  }

  @Test
  void abandonedWriteLeavesNoIndexAndNoTempFile() throws IOException {
    Path dir = tmp.resolve("abandoned");
    try (ShardWriter w = ShardWriter.create(dir, new ShardWriter.Config(257, 256, 5, null))) {
      w.writeDocument(new int[] {1, 2, 3, 4, 5, 6, 7}); // one full shard published, one pending
    }
    assertFalse(Files.exists(dir.resolve(ShardIndex.FILE_NAME)));
    try (Stream<Path> files = Files.list(dir)) {
      assertFalse(files.anyMatch(AtomicFiles::isTemporary), "temp files left");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PackingIterator.open(dir, PackingConfig.of(2, 1)));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("index.json") && e.getMessage().contains("missing"));
  }

  @Test
  void writerRejectsBadInput() {
    Path dir = tmp.resolve("bad");
    try (ShardWriter w = ShardWriter.create(dir, ShardWriter.Config.of(257, 256))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> w.writeDocument(new int[] {1, 257}));
      assertTrue(e.getMessage().contains("token 257 at index 1"), e.getMessage());
      assertEquals(0, w.tokensWritten(), "a rejected document writes nothing");
      w.writeDocument(new int[] {1});
      w.finish();
      assertThrows(IllegalStateException.class, () -> w.write(new int[] {1}, 0, 1));
    }
    IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
        () -> ShardWriter.create(dir, ShardWriter.Config.of(257, 256)));
    assertTrue(again.getMessage().contains("already holds token shards"), again.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ShardWriter.Config(257, 257, 10, null));
    assertThrows(IllegalArgumentException.class, () -> new ShardWriter.Config(257, 1, 0, null));
  }

  private static int mismatches(int[] a, int[] b) {
    int n = Math.abs(a.length - b.length);
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      n += a[i] == b[i] ? 0 : 1;
    }
    return n;
  }
}
