package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorpusPipelineTest {
  static final Path CORPORA = Path.of("src/test/resources/corpora");

  static final class ListSink implements DocumentSink {
    final List<Document> docs = new ArrayList<>();

    @Override
    public void accept(Document doc) {
      docs.add(doc);
    }

    @Override
    public void close() {}
  }

  @Test
  void defaultPipelineOnSpam() {
    List<Path> in = List.of(CORPORA.resolve("spamassassin-spam-1.jsonl.gz"), CORPORA.resolve("spamassassin-spam-2.jsonl.gz"));
    Pipeline p = Pipeline.builder().steps(Steps.defaults()).build();
    ListSink kept = new ListSink();
    ListSink rejected = new ListSink();
    PipelineStats s = p.run(() -> Corpus.read(in, ReaderOptions.defaults()), kept, rejected);
    System.out.println(s.toTable());
    assertEquals(1896, s.documentsRead());
  }
}
