package dev.llmj.data.io;

import dev.llmj.data.Document;
import java.io.IOException;

/** One readable part of the input (a file or a tar entry) that yields documents one by one. */
interface Unit extends AutoCloseable {
  /** The next document, or null at the end of this unit. */
  Document next() throws IOException;

  /** Name of the file (or {@code archive!entry}) for problem reports. */
  String source();

  /** Line reached so far, for problem reports. */
  long line();

  @Override
  void close() throws IOException;
}
