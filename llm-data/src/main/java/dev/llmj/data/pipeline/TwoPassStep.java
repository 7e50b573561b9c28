package dev.llmj.data.pipeline;

import dev.llmj.data.Document;

/**
 * A step that must see the whole input before deciding (near-dedup clusters). The pipeline runs
 * an indexing pass over the steps before it, calls {@link #resolve()}, then the normal pass.
 */
interface TwoPassStep extends Step {
  /** Pure and thread-safe: the index key of a document (null when it has none). */
  Object key(Document doc);

  /** Called in input order during the indexing pass, once per document reaching this step. */
  void index(Object key);

  /** Called once after the indexing pass. */
  void resolve();
}
