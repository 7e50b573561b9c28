package dev.llmj.data.pipeline;

import dev.llmj.data.Document;
import java.util.function.UnaryOperator;

/**
 * A step that rewrites text and never drops (a document that ends up blank is dropped by the
 * pipeline as {@code empty_after_format}).
 *
 * <pre>{@code
 * Formatter lower = Formatter.of("lowercase", d -> d.withText(d.text().toLowerCase(Locale.ROOT)));
 * }</pre>
 */
public interface Formatter extends Step {
  Document format(Document doc);

  @Override
  default Verdict apply(Document doc) {
    Document out = format(doc);
    return out.text().isBlank() ? Verdict.drop("empty_after_format") : Verdict.keep(out);
  }

  static Formatter of(String name, UnaryOperator<Document> format) {
    return new Formatter() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Document format(Document doc) {
        return format.apply(doc);
      }
    };
  }
}
