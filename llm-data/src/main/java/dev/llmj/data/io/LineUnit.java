package dev.llmj.data.io;

import java.io.IOException;
import java.io.InputStream;

/** A unit read line by line (text and JSONL): the stream, its lines and where problems go. */
abstract class LineUnit implements Unit {
  final String source;
  final LineReader lines;
  final ReaderOptions options;
  final InputProblems problems;
  private final InputStream in;

  LineUnit(String source, InputStream in, ReaderOptions options, InputProblems problems, long[] bytes) {
    this.source = source;
    this.in = in;
    this.lines = new LineReader(in, options.maxLineBytes(), bytes);
    this.options = options;
    this.problems = problems;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public long line() {
    return lines.lineNumber();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
