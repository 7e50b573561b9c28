package dev.llmj.data.pipeline;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.Document;
import dev.llmj.data.io.Corpus;
import dev.llmj.data.io.DocumentSink;
import dev.llmj.data.io.ReaderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The default pipeline end to end on the real mail corpus. */
class CorpusPipelineTest {
  static final Path CORPORA = Path.of("src/test/resources/corpora");
  static final List<Path> SPAM = List.of(CORPORA.resolve("spamassassin-spam-1.jsonl.gz"), CORPORA.resolve("spamassassin-spam-2.jsonl.gz"));

  static final class ListSink implements DocumentSink {
    final List<Document> docs = new ArrayList<>();

    @Override
    public void accept(Document doc) {
      docs.add(doc);
    }

    @Override
    public void close() {}
  }

  static PipelineStats run(int threads, ListSink kept, ListSink rejected) {
    Pipeline p = Pipeline.builder().steps(Steps.defaults()).threads(threads).build();
    return p.run(() -> Corpus.read(SPAM, ReaderOptions.defaults()), kept, rejected);
  }

  @Test
  void defaultPipelineOnSpamAccountsForEveryDocument() throws Exception {
    ListSink kept = new ListSink();
    ListSink rejected = new ListSink();
    PipelineStats s = run(1, kept, rejected);
    System.out.println(s.toTable());
    assertEquals(1896, s.documentsRead(), "500 + 1396 lines in the two files");
    assertEquals(s.documentsWritten(), kept.docs.size());
    long dropped = s.steps().stream().mapToLong(StepStats::droppedTotal).sum();
    assertEquals(s.documentsRead(), dropped + s.documentsWritten(), "every document is kept or dropped with a reason");
    assertEquals(dropped, rejected.docs.size());
    for (Document d : rejected.docs) {
      String step = d.metadata().get("drop_step");
      assertTrue(s.step(step).dropped().containsKey(d.metadata().get("drop_reason")), d.id());
    }
    assertTrue(s.step("minhash_dedup").dropped().get("near_duplicate") > 150, "spam is full of near-duplicates");
    assertEquals(s.step("minhash_dedup").counters().get("documents_in_clusters") - s.step("minhash_dedup").counters().get("clusters"),
        s.step("minhash_dedup").dropped().get("near_duplicate"), "one survivor per cluster");
    // Independent check: no kept document still holds an e-mail address.
    Pattern email = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    long leaks = 0;
    for (Document d : kept.docs) {
      java.util.regex.Matcher m = email.matcher(d.text());
      while (m.find()) {
        leaks++;
        System.out.println("leak in " + d.id() + ": " + m.group().chars().mapToObj(c -> c < 128 && c >= 32 ? String.valueOf((char) c) : String.format("\\u%04x", c)).collect(java.util.stream.Collectors.joining()));
      }
    }
    System.out.println("kept documents still holding an e-mail address: " + leaks);
    assertEquals(0, leaks);
    JsonNode json = new ObjectMapper().readTree(s.toJson());
    assertEquals(s.documentsWritten(), json.get("documents_written").asLong());
    assertEquals(s.step("pii").counters().get("email"), json.get("steps").get(5).get("counters").get("email").asLong());
  }

  @Test
  void englishCorporaAreDetectedAsEnglish() {
    List<Path> english = List.of(Path.of("src/main/resources/dev/llmj/data/corpus/sotu.jsonl.gz"), CORPORA.resolve("moby-dick.jsonl.gz"));
    Pipeline p = Pipeline.builder().step(Steps.language(LanguageConfig.defaults())).build();
    PipelineStats s = p.run(() -> Corpus.read(english, ReaderOptions.defaults()), DocumentSink.discard(), null);
    System.out.println(s.toTable());
    // moby-dick.jsonl.gz has 139 chapter objects and, on line 140, a JSON array of file names.
    assertEquals(233 + 139, s.documentsRead());
    assertEquals(java.util.Map.of("malformed_json", 1L), s.inputProblems());
    assertEquals(140, s.inputProblemExamples().get(0).line());
    assertEquals(s.documentsRead(), s.documentsWritten(), "every State of the Union address and Moby-Dick chapter is English");
    assertEquals(s.documentsRead(), s.step("language").counters().get("detected_en"));
  }

  @Test
  void threadsGiveTheSameOutputAsOneThread() {
    ListSink one = new ListSink();
    ListSink two = new ListSink();
    run(1, one, new ListSink());
    run(2, two, new ListSink());
    assertEquals(one.docs, two.docs);
  }

  @Test
  void configFromJson() {
    PipelineConfig c = PipelineConfig.fromJson("{\"reader\":{\"textField\":\"body\"},\"steps\":[{\"type\":\"normalize\"},"
        + "{\"type\":\"minhash_dedup\",\"bands\":20,\"rows\":5},{\"type\":\"language\",\"languages\":[\"en\",\"de\"]}],"
        + "\"output\":{\"compression\":\"zstd\"}}");
    assertEquals("body", c.reader().textField());
    assertEquals(List.of("normalize", "minhash_dedup", "language"), c.steps().stream().map(Step::name).toList());
    assertEquals(dev.llmj.data.io.Compression.ZSTD, c.output().compression());
    assertEquals(6, PipelineConfig.fromJson("{}").steps().size());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PipelineConfig.fromJson("{\"steps\":[{\"type\":\"gopher_quality\",\"minWord\":10}]}"));
    assertTrue(e.getMessage().contains("steps[0] (gopher_quality): unknown key 'minWord'")
        && e.getMessage().contains("minWords"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromJson("{\"steps\":[{\"type\":\"gopher_quality\",\"minWords\":\"ten\"}]}"));
    assertTrue(e.getMessage().contains("(gopher_quality): key 'minWords' must be a 32-bit integer, got \"ten\""),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromJson("{\"steps\":[{\"type\":\"minhash_dedup\",\"bands\":0}]}"));
    assertTrue(e.getMessage().contains("bands=0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromJson("{\"step\":[]}"));
    assertTrue(e.getMessage().contains("valid keys: [reader, steps, output]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.fromJson("{\"steps\":[{\"type\":\"dedup\"}]}"));
    assertTrue(e.getMessage().contains("valid types"), e.getMessage());
  }
}
