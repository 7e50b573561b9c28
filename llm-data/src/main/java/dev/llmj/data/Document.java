package dev.llmj.data;

import java.util.Map;
import java.util.Objects;

/**
 * One document flowing through the data pipeline: a stable id, its text and free-form metadata
 * (source file, line, language, ...).
 *
 * <pre>{@code
 * Document d = new Document("sotu.jsonl.gz:12", text, Map.of("source", "sotu.jsonl.gz"));
 * }</pre>
 */
public record Document(String id, String text, Map<String, String> metadata) {
  public Document {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public Document(String id, String text) {
    this(id, text, Map.of());
  }

  /** A copy with other text and the same id and metadata. */
  public Document withText(String newText) {
    return new Document(id, newText, metadata);
  }
}
