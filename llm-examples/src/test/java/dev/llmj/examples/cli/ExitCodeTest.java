package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit code 2 for bad usage or bad input, 1 for a failure while running, each with a one-line reason. */
class ExitCodeTest {

  @TempDir Path dir;

  @Test
  void badUsageExitsWithTwo() {
    Object[] unknownOption = TokenizerCommandsTest.run("report", "--no-such-option", dir.toString());
    System.out.println(unknownOption[2]);
    assertEquals(Llm.EXIT_USAGE, unknownOption[0]);
    Object[] unknownCommand = TokenizerCommandsTest.run("no-such-command");
    assertEquals(Llm.EXIT_USAGE, unknownCommand[0]);
    Object[] badNumber = TokenizerCommandsTest.run("quickstart", "--minutes", "ten");
    assertEquals(Llm.EXIT_USAGE, badNumber[0]);
  }

  @Test
  void badInputExitsWithTwo() throws IOException {
    Object[] notARun = TokenizerCommandsTest.run("report", dir.toString()); // IllegalArgumentException
    System.out.println(notARun[2]);
    assertEquals(Llm.EXIT_USAGE, notARun[0]);
    assertTrue(((String) notARun[2]).startsWith("llm report: ") && ((String) notARun[2]).contains("metrics.jsonl"),
        (String) notARun[2]);
    Path missing = dir.resolve("missing-run.json");
    Object[] noFile = TokenizerCommandsTest.run("pretrain", "--config", missing.toString());
    assertEquals(Llm.EXIT_USAGE, noFile[0], (String) noFile[2]);
    assertTrue(((String) noFile[2]).contains(missing.toString()), (String) noFile[2]);
  }

  @Test
  void failureWhileRunningExitsWithOne() throws IOException {
    // A run folder whose report.html cannot be written: the input is fine, the write fails (IOException).
    Path run = dir.resolve("run");
    Files.createDirectories(run.resolve("report.html"));
    Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":0,\"loss\":5.0,\"lr\":0.001}\n"
        + "{\"step\":1,\"loss\":4.5,\"lr\":0.001}\n");
    Object[] r = TokenizerCommandsTest.run("report", run.toString());
    System.out.println(r[2]);
    assertEquals(Llm.EXIT_FAILURE, r[0], (String) r[2]);
    assertTrue(((String) r[2]).startsWith("llm report: ") && ((String) r[2]).contains("report.html"), (String) r[2]);
    assertEquals(1, ((String) r[2]).strip().lines().count(), "one line, no stack trace: " + r[2]);
  }

  @Test
  void exceptionsMapToCodes() {
    assertEquals(Llm.EXIT_USAGE, Llm.exitCode(new IllegalArgumentException("x")));
    assertEquals(Llm.EXIT_USAGE, Llm.exitCode(new UnsupportedOperationException("x")));
    assertEquals(Llm.EXIT_USAGE, Llm.exitCode(new NoSuchFileException("in.jsonl")));
    assertEquals(Llm.EXIT_USAGE, Llm.exitCode(new UncheckedIOException(new NoSuchFileException("in.jsonl"))));
    assertEquals(Llm.EXIT_FAILURE, Llm.exitCode(new IOException("disk full")));
    assertEquals(Llm.EXIT_FAILURE, Llm.exitCode(new UncheckedIOException(new IOException("disk full"))));
    assertEquals(Llm.EXIT_FAILURE, Llm.exitCode(new IllegalStateException("non-finite loss")));
    assertEquals(Llm.EXIT_FAILURE, Llm.exitCode(new NullPointerException()));
  }
}
