package dev.llmj.data.pipeline;

import dev.llmj.data.Document;

/**
 * A {@link Step#sequential() sequential} step whose costly part does not depend on the documents
 * before it (hashing the text, say). The pipeline computes {@link #key} on all threads, then
 * calls {@link #apply(Document, Object)} one document at a time in input order. Like a
 * {@link Filter} it only keeps or drops, never rewrites.
 */
interface KeyedStep extends Step {
  /** Pure and thread-safe. */
  Object key(Document doc);

  /** In input order, with the key of this document. */
  Verdict apply(Document doc, Object key);

  @Override
  default Verdict apply(Document doc) {
    return apply(doc, key(doc));
  }

  @Override
  default boolean sequential() {
    return true;
  }
}
