package dev.llmj.data.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.Document;
import dev.llmj.data.io.CloseableIterator;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.pipeline.Pipeline;
import dev.llmj.data.pipeline.Steps;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline ending in token shards: the shards decode back to exactly the kept documents. */
class TokenShardSinkTest {
  @TempDir Path tmp;

  @Test
  void tokenShardsDecodeToTheKeptDocuments() {
    SplittableRandom rnd = TestData.random("tokenShardsDecodeToTheKeptDocuments");
    List<Document> input = new ArrayList<>();
    String[] words = {"the", "ship", "whale", "sea", "Ahab", "harpoon", "caf\u00e9", "na\u00efve", "42", "e-mail"};
    for (int i = 0; i < 257; i++) {
      StringBuilder sb = new StringBuilder();
      int n = 1 + rnd.nextInt(60);
      for (int k = 0; k < n; k++) sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(9) == 0 ? "\n" : "  ");
      input.add(new Document("d" + i, sb.toString()));
      if (i % 10 == 3) input.add(new Document("dup" + i, sb.toString())); // exact duplicates the pipeline drops
    }
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(300).withThreads(1))
        .train(input.stream().limit(50).map(Document::text));

    List<Document> kept = new ArrayList<>();
    Path dir = tmp.resolve("tokens");
    TokenShards.Stats stats;
    try (TokenShardSink tokens = TokenShardSink.open(dir, tok,
        TokenShards.Options.defaults().withThreads(3).withTokensPerShard(997).withBatching(5, 3))) {
      DocumentSink both = new DocumentSink() {
        @Override
        public void accept(Document d) {
          kept.add(d);
          tokens.accept(d);
        }

        @Override
        public void close() {}
      };
      Pipeline p = Pipeline.builder().step(Steps.normalize(dev.llmj.data.pipeline.NormalizeConfig.defaults()))
          .step(Steps.exactDedup(dev.llmj.data.pipeline.ExactDedupConfig.defaults())).threads(2).build();
      p.run(() -> iterate(input), both, null);
      tokens.close();
      stats = tokens.stats();
    }
    assertTrue(kept.size() < input.size() && kept.size() > 200, "kept " + kept.size());
    assertEquals(kept.size(), stats.documents());

    TokenStream stream = TokenStream.openDirectory(dir);
    int[] all = new int[(int) stream.size()];
    stream.read(0, all, 0, all.length);
    List<String> decoded = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == tok.endOfTextId()) {
        decoded.add(tok.decode(Arrays.copyOfRange(all, from, i)));
        from = i + 1;
      }
    }
    assertEquals(all.length, from, "the last token is end-of-text");
    int mismatches = 0;
    for (int i = 0; i < Math.min(kept.size(), decoded.size()); i++) if (!kept.get(i).text().equals(decoded.get(i))) mismatches++;
    System.out.println(kept.size() + " kept documents, " + all.length + " tokens in "
        + ShardIndex.read(dir).shards().size() + " shards; decoded documents differing: " + mismatches);
    assertEquals(kept.size(), decoded.size());
    assertEquals(0, mismatches);
  }

  @Test
  void writerFailureReachesTheProducer() {
    // A document the byte tokenizer cannot encode makes the writer fail; the pipeline side must see it.
    ByteTokenizer tok = new ByteTokenizer() {
      @Override
      public int[] encode(String text) {
        if (text.equals("bad")) throw new IllegalArgumentException("cannot encode 'bad'");
        return super.encode(text);
      }
    };
    TokenShardSink sink = TokenShardSink.open(tmp.resolve("t"), tok, TokenShards.Options.defaults().withThreads(1).withBatching(1, 1));
    RuntimeException e = assertThrows(RuntimeException.class, () -> {
      sink.accept(new Document("x", "bad"));
      for (int i = 0; i < 100; i++) sink.accept(new Document("y" + i, "fine"));
      sink.close();
    });
    System.out.println("producer saw: " + e.getMessage());
    assertTrue(e.getMessage().contains("bad"), e.getMessage());
  }

  private static CloseableIterator<Document> iterate(List<Document> docs) {
    return CloseableIterator.of(docs);
  }
}
