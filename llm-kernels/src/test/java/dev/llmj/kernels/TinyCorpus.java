package dev.llmj.kernels;

import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.CorpusReader;
import dev.llmj.data.io.EmbeddedCorpus;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Token shards of the first State of the Union addresses, the corpus that ships in llm-data, under a
 * byte-level BPE of 320 ids trained on the same text: data as {@code llm prepare} makes it, in about a second.
 */
final class TinyCorpus {

  static final int DOCUMENTS = 6;
  static final int VOCAB = 320;

  private TinyCorpus() {}

  /** Writes the shards into {@code dir} and returns it. */
  static Path write(Path dir) throws IOException {
    List<Document> docs = new ArrayList<>();
    Path file = EmbeddedCorpus.SOTU.copyTo(dir.resolveSibling(dir.getFileName() + "-corpus"));
    try (CorpusReader reader = Corpus.read(file)) {
      while (reader.hasNext() && docs.size() < DOCUMENTS) {
        docs.add(reader.next());
      }
    }
    BpeTokenizer tok = new BpeTrainer(BpeTrainer.Config.of(VOCAB).withThreads(1))
        .train(docs.stream().map(Document::text));
    TokenShards.write(docs.iterator(), tok, dir, TokenShards.Options.defaults().withThreads(1)
        .withTokensPerShard(4096));
    return dir;
  }

  public static void main(String[] args) throws IOException {
    System.out.println(write(Path.of(args[0])));
  }
}
