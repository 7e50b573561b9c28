package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareCommandTest {
  static final Path SPAM = Path.of("../llm-data/src/test/resources/corpora/spamassassin-spam-1.jsonl.gz");

  @TempDir Path dir;

  @Test
  void preparesShardsAndStats() throws Exception {
    Path cfg = dir.resolve("p.json");
    Files.writeString(cfg, "{\"steps\":[{\"type\":\"normalize\"},{\"type\":\"minhash_dedup\"},{\"type\":\"pii\"}],"
        + "\"output\":{\"writeRejected\":true,\"compression\":\"zstd\"}}");
    Path out = dir.resolve("out");
    int code = Llm.run("prepare", "--input", SPAM.toString(), "--output", out.toString(), "--config", cfg.toString(), "--threads", "2");
    assertEquals(0, code);
    JsonNode stats = new ObjectMapper().readTree(out.resolve("stats.json").toFile());
    assertEquals(500, stats.get("documents_read").asLong());
    long written = stats.get("documents_written").asLong();
    long nearDups = stats.get("steps").get(1).get("dropped").asLong();
    assertEquals(500, written + nearDups);
    long shardDocs = 0;
    try (CorpusReader r = Corpus.read(out.resolve("part-00000.jsonl.zst"))) {
      while (r.hasNext()) {
        // "undisclosed-recipients:;@host" and "!!!@host" are not addresses and stay.
        assertFalse(java.util.regex.Pattern.compile("[A-Za-z0-9._%+-]+@spamassassin\\.taint\\.org").matcher(r.next().text()).find(),
            "e-mail addresses are redacted");
        shardDocs++;
      }
    }
    assertEquals(written, shardDocs);
    assertTrue(Files.exists(out.resolve("rejected/rejected-00000.jsonl.zst")));
  }

  @Test
  void badConfigAndMissingInputExitWithUsageError() throws Exception {
    Path cfg = dir.resolve("bad.json");
    Files.writeString(cfg, "{\"steps\":[{\"type\":\"pii\",\"emails\":true}]}");
    assertEquals(Llm.EXIT_USAGE, Llm.run("prepare", "--input", SPAM.toString(), "--output", dir.resolve("o").toString(), "--config", cfg.toString()));
    assertEquals(Llm.EXIT_USAGE, Llm.run("prepare", "--input", dir.resolve("missing.jsonl").toString(), "--output", dir.resolve("o").toString()));
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"text\":\"fine\"}\n{oops\n");
    assertEquals(0, Llm.run("prepare", "--input", bad.toString(), "--output", dir.resolve("o2").toString()));
    assertEquals(Llm.EXIT_USAGE, Llm.run("prepare", "--input", bad.toString(), "--output", dir.resolve("o3").toString(), "--strict"));
  }

  @Test
  void tokenizerWritesTokenShardsOfTheKeptDocuments() throws Exception {
    dev.llmj.data.tokenizer.BpeTokenizer tok = smallTokenizer();
    Path tokFile = dir.resolve("tokenizer.json");
    tok.save(tokFile);
    Path out = dir.resolve("out");
    assertEquals(0, Llm.run("prepare", "--input", SPAM.toString(), "--output", out.toString(), "--tokenizer", tokFile.toString(),
        "--shard-tokens", "100000", "--threads", "2"));
    java.util.List<String> kept = new java.util.ArrayList<>();
    try (CorpusReader r = Corpus.read(out.resolve("part-00000.jsonl.gz"))) {
      while (r.hasNext()) kept.add(r.next().text());
    }
    int[] all = tokens(out.resolve("tokens"));
    java.util.List<String> decoded = new java.util.ArrayList<>();
    int from = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == tok.endOfTextId()) {
        decoded.add(tok.decode(java.util.Arrays.copyOfRange(all, from, i)));
        from = i + 1;
      }
    }
    System.out.println(kept.size() + " kept documents, " + all.length + " tokens; token shards decode to the JSONL texts: "
        + kept.equals(decoded));
    assertTrue(kept.size() > 100);
    assertEquals(kept, decoded);

    Path only = dir.resolve("only");
    assertEquals(0, Llm.run("prepare", "--input", SPAM.toString(), "--output", only.toString(), "--tokenizer", tokFile.toString(),
        "--tokens-only"));
    assertFalse(Files.exists(only.resolve("part-00000.jsonl.gz")));
    assertArrayEquals(all, tokens(only.resolve("tokens")));
    assertEquals(Llm.EXIT_USAGE, Llm.run("prepare", "--input", SPAM.toString(), "--output", dir.resolve("o4").toString(), "--tokens-only"));
  }

  @Test
  void sparkEngineWritesTheSameDocumentsAndTokens() throws Exception {
    Path tokFile = dir.resolve("tokenizer.json");
    smallTokenizer().save(tokFile);
    Path moby = SPAM.resolveSibling("moby-dick.jsonl.gz");
    Path local = dir.resolve("local");
    Path spark = dir.resolve("spark");
    assertEquals(0, Llm.run("prepare", "--input", SPAM.toString(), moby.toString(), "--output", local.toString(), "--tokenizer",
        tokFile.toString()));
    assertEquals(0, Llm.run("prepare", "--engine", "spark", "--master", "local[2]", "--input", SPAM.toString(), moby.toString(),
        "--output", spark.toString(), "--tokenizer", tokFile.toString()));
    assertEquals(texts(local, "part-00000.jsonl.gz"), texts(spark, "part-00000-00000.jsonl.gz", "part-00001-00000.jsonl.gz"));
    int[] sparkTokens = java.util.stream.IntStream.concat(java.util.Arrays.stream(tokens(spark.resolve("tokens/part-00000"))),
        java.util.Arrays.stream(tokens(spark.resolve("tokens/part-00001")))).toArray();
    assertArrayEquals(tokens(local.resolve("tokens")), sparkTokens, "token shards per input file, concatenated");
    assertTrue(Files.exists(spark.resolve("_SUCCESS")));
    assertEquals(Llm.EXIT_USAGE, Llm.run("prepare", "--input", SPAM.toString(), "--output", dir.resolve("o5").toString(),
        "--master", "local[2]"));
  }

  /** A 400-token BPE tokenizer trained on the first 40 spam mails. */
  private static dev.llmj.data.tokenizer.BpeTokenizer smallTokenizer() {
    java.util.List<String> sample = new java.util.ArrayList<>();
    try (CorpusReader r = Corpus.read(SPAM)) {
      while (r.hasNext() && sample.size() < 40) sample.add(r.next().text());
    }
    return new dev.llmj.data.tokenizer.BpeTrainer(dev.llmj.data.tokenizer.BpeTrainer.Config.of(400).withThreads(1))
        .train(sample.stream());
  }

  private static java.util.List<String> texts(Path dir, String... shards) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String s : shards) {
      try (CorpusReader r = Corpus.read(dir.resolve(s))) {
        while (r.hasNext()) out.add(r.next().text());
      }
    }
    return out;
  }

  /** Every token of the shard directory, shards in index order. */
  private static int[] tokens(Path tokenDir) {
    dev.llmj.data.shard.ShardIndex index = dev.llmj.data.shard.ShardIndex.read(tokenDir);
    int[] all = new int[(int) index.totalTokens()];
    int at = 0;
    for (Path f : index.files(tokenDir)) {
      dev.llmj.data.shard.ShardReader r = dev.llmj.data.shard.ShardReader.open(f);
      r.read(0, all, at, (int) r.size());
      at += (int) r.size();
    }
    assertEquals(all.length, at);
    return all;
  }
}
