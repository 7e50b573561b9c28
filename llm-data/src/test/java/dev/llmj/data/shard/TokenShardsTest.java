package dev.llmj.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.Document;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corpus tokenization against a direct single-threaded encoding of the same documents. */
class TokenShardsTest {
  @TempDir Path tmp;
  private final ByteTokenizer tok = new ByteTokenizer();

  @Test
  void shardsHoldEveryDocumentFollowedByEot() {
    SplittableRandom rnd = TestData.random("shardsHoldEveryDocumentFollowedByEot");
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      docs.add(TestData.doc(rnd, i, 40));
    }
    List<int[]> encoded = docs.stream().map(d -> tok.encode(d.text())).toList();
    int[] expected = TestData.concatWithEot(encoded, ByteTokenizer.EOT);
    long expectedBytes = docs.stream()
        .mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum();

    Path dir = tmp.resolve("out");
    TokenShards.Stats stats = TokenShards.write(docs.iterator(), tok, dir,
        TokenShards.Options.defaults().withThreads(3).withTokensPerShard(1013)
            .withBatching(7, 5).withTokenizerHash("bytes-v1"));
    assertEquals(docs.size(), stats.documents());
    assertEquals(expected.length, stats.tokens());
    assertEquals(expectedBytes, stats.bytes());
    ShardIndex index = ShardIndex.read(dir);
    assertEquals("bytes-v1", index.tokenizerHash());
    assertEquals(257, index.vocabSize());
    assertEquals(ByteTokenizer.EOT, index.eotId());
    assertEquals(docs.size(), index.totalDocuments());

    TokenStream stream = TokenStream.openDirectory(dir);
    int[] actual = new int[(int) stream.size()];
    stream.read(0, actual, 0, actual.length);
    assertArrayEquals(expected, actual);
    System.out.println("tokens " + stats.tokens() + " in " + index.shards().size()
        + " shards, identical to direct encoding");
  }

  @Test
  void outputIsByteIdenticalForOneAndThreeThreads() throws IOException {
    SplittableRandom rnd = TestData.random("outputIsByteIdenticalForOneAndThreeThreads");
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      docs.add(TestData.doc(rnd, i, 60));
    }
    Path one = tmp.resolve("one");
    Path three = tmp.resolve("three");
    TokenShards.write(docs.iterator(), tok, one,
        TokenShards.Options.defaults().withThreads(1).withTokensPerShard(777).withBatching(3, 2));
    TokenShards.write(docs.iterator(), tok, three,
        TokenShards.Options.defaults().withThreads(3).withTokensPerShard(777).withBatching(3, 9));
    List<String> names;
    try (Stream<Path> files = Files.list(one)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    try (Stream<Path> files = Files.list(three)) {
      assertEquals(names, files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    int differing = 0;
    for (String n : names) {
      byte[] a = Files.readAllBytes(one.resolve(n));
      byte[] b = Files.readAllBytes(three.resolve(n));
      differing += Arrays.equals(a, b) ? 0 : 1;
    }
    System.out.println(names.size() + " files compared, " + differing + " differ");
    assertEquals(0, differing);
  }

  @Test
  void corpusLargerThanTheQueueStreamsWithBoundedDocumentsInFlight() {
    int total = 20_000;
    int perBatch = 4;
    int batchesInFlight = 3;
    AtomicLong written = new AtomicLong();
    long[] pulled = {0};
    long[] maxInFlight = {0};
    SplittableRandom rnd = TestData.random("corpusLargerThanTheQueue");
    Iterator<Document> generated = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return pulled[0] < total;
      }

      @Override
      public Document next() {
        pulled[0]++;
        maxInFlight[0] = Math.max(maxInFlight[0], pulled[0] - written.get());
        return TestData.doc(rnd, (int) pulled[0], 30);
      }
    };
    List<long[]> reports = new ArrayList<>();
    TokenShards.Stats stats = TokenShards.write(generated, tok, tmp.resolve("big"),
        TokenShards.Options.defaults().withThreads(2).withTokensPerShard(50_000)
            .withBatching(perBatch, batchesInFlight)
            .withProgress((d, b, t) -> {
              written.set(d);
              reports.add(new long[] {d, b, t});
            }));
    long bound = (long) (batchesInFlight + 1) * perBatch;
    System.out.println("documents " + total + ", most in flight " + maxInFlight[0] + ", bound "
        + bound);
    assertEquals(total, stats.documents());
    assertTrue(maxInFlight[0] <= bound, "in flight " + maxInFlight[0] + " > " + bound);
    long[] last = reports.get(reports.size() - 1);
    assertArrayEquals(new long[] {stats.documents(), stats.bytes(), stats.tokens()}, last);
    for (int i = 1; i < reports.size(); i++) {
      assertTrue(reports.get(i)[0] > reports.get(i - 1)[0], "progress must advance");
    }
  }

  @Test
  void encodingFailureNamesTheDocumentAndLeavesNoIndex() {
    ByteTokenizer failing = new ByteTokenizer() {
      @Override
      public int[] encode(String text) {
        if (text.equals("poison")) {
          throw new IllegalStateException("cannot encode");
        }
        return super.encode(text);
      }
    };
    List<Document> docs = List.of(new Document("a", "fine"), new Document("bad-7", "poison"),
        new Document("c", "fine too"));
    Path dir = tmp.resolve("failed");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenShards.write(docs.iterator(), failing, dir,
            TokenShards.Options.defaults().withThreads(2).withBatching(1, 2)));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("'bad-7'") && e.getMessage().contains("cannot encode"));
    assertFalse(Files.exists(dir.resolve(ShardIndex.FILE_NAME)));
  }

  @Test
  void optionsAreValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenShards.Options.defaults().withBatching(0, 4));
    assertTrue(e.getMessage().contains("documentsPerBatch is 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TokenShards.Options.defaults().withThreads(0));
  }
}
