package dev.llmj.data.pipeline;

import dev.llmj.data.Document;

/**
 * A step that only keeps or drops.
 *
 * <pre>{@code
 * Filter shortDocs = Filter.of("min_chars", d -> d.text().length() < 200 ? "too_short" : null);
 * }</pre>
 */
public interface Filter extends Step {
  /** Null to keep the document, else the short reason for dropping it. */
  String dropReason(Document doc);

  @Override
  default Verdict apply(Document doc) {
    String reason = dropReason(doc);
    return reason == null ? Verdict.keep(doc) : Verdict.drop(reason);
  }

  static Filter of(String name, java.util.function.Function<Document, String> dropReason) {
    return new Filter() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String dropReason(Document doc) {
        return dropReason.apply(doc);
      }
    };
  }
}
