package dev.llmj.data.io;

/**
 * How {@link Corpus} turns files into documents. Immutable and validated.
 *
 * @param textField JSONL field that holds the document text
 * @param idField JSONL field used as the document id when present (else {@code file:line})
 * @param textMode how plain-text files are cut into documents
 * @param maxLineBytes longer lines are skipped and counted as {@code line_too_long}; this bounds
 *     the heap a single line can take (a 100 MB one-line file costs at most this much)
 * @param maxDocumentBytes plain-text documents longer than this are skipped as {@code
 *     document_too_long}
 * @param maxExpandedBytes a compressed input that expands past this many bytes is a
 *     decompression bomb and stops the run
 * @param maxExpansionRatio a compressed input whose output exceeds this many times its input
 *     (after the first 64 MiB) is a decompression bomb and stops the run
 * @param strict when true, the first bad line or file throws instead of being counted
 */
public record ReaderOptions(
    String textField,
    String idField,
    TextMode textMode,
    int maxLineBytes,
    long maxDocumentBytes,
    long maxExpandedBytes,
    double maxExpansionRatio,
    boolean strict) {

  /** How plain-text files become documents. */
  public enum TextMode {
    /** The whole file (or tar entry) is one document. */
    FILE,
    /** Each block of lines separated by one or more blank lines is one document. */
    BLOCK
  }

  public ReaderOptions {
    if (textField == null || textField.isEmpty()) {
      throw new IllegalArgumentException("textField must be a non-empty JSON field name, got '" + textField + "'");
    }
    if (idField == null) {
      idField = "";
    }
    if (textMode == null) {
      throw new IllegalArgumentException("textMode must be FILE or BLOCK, got null");
    }
    if (maxLineBytes < 1024) {
      throw new IllegalArgumentException("maxLineBytes=" + maxLineBytes + " is below the minimum 1024; raise it");
    }
    if (maxDocumentBytes < maxLineBytes) {
      throw new IllegalArgumentException("maxDocumentBytes=" + maxDocumentBytes
          + " must be at least maxLineBytes=" + maxLineBytes + "; raise maxDocumentBytes");
    }
    if (maxExpandedBytes < 1) {
      throw new IllegalArgumentException("maxExpandedBytes=" + maxExpandedBytes + " must be positive");
    }
    if (!(maxExpansionRatio > 1)) {
      throw new IllegalArgumentException("maxExpansionRatio=" + maxExpansionRatio + " must be above 1");
    }
  }

  /** Text in {@code "text"}, ids from {@code "id"}, 16 MiB lines, 64 MiB text files, 64 GiB and 1000x expansion. */
  public static ReaderOptions defaults() {
    return new ReaderOptions("text", "id", TextMode.FILE, 16 << 20, 64L << 20, 64L << 30, 1000, false);
  }

  public ReaderOptions withTextField(String field) {
    return new ReaderOptions(field, idField, textMode, maxLineBytes, maxDocumentBytes, maxExpandedBytes, maxExpansionRatio, strict);
  }

  public ReaderOptions withTextMode(TextMode mode) {
    return new ReaderOptions(textField, idField, mode, maxLineBytes, maxDocumentBytes, maxExpandedBytes, maxExpansionRatio, strict);
  }

  public ReaderOptions withStrict(boolean isStrict) {
    return new ReaderOptions(textField, idField, textMode, maxLineBytes, maxDocumentBytes, maxExpandedBytes, maxExpansionRatio, isStrict);
  }

  public ReaderOptions withLimits(int lineBytes, long documentBytes, long expandedBytes, double expansionRatio) {
    return new ReaderOptions(textField, idField, textMode, lineBytes, documentBytes, expandedBytes, expansionRatio, strict);
  }
}
