package dev.llmj.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SpamAssassin mail corpus the pipeline benchmarks run on: the six {@code spamassassin-*.jsonl.gz}
 * files in llm-data's test resources (run from the repository root), or under {@code -Dllmj.corpora=DIR}.
 */
final class MailCorpus {

  private MailCorpus() {}

  static List<Path> files() throws IOException {
    Path dir = Path.of(System.getProperty("llmj.corpora", "llm-data/src/test/resources/corpora"));
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> p.getFileName().toString().startsWith("spamassassin-")).sorted().toList();
      if (files.isEmpty()) {
        throw new IllegalStateException("no spamassassin-*.jsonl.gz in " + dir.toAbsolutePath()
            + "; run from the repository root or pass -Dllmj.corpora=DIR");
      }
      return files;
    }
  }
}
