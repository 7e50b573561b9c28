package dev.llmj.data.io;

import static org.junit.jupiter.api.Assertions.*;

import com.github.luben.zstd.ZstdOutputStream;
import dev.llmj.data.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  @TempDir Path dir;

  static final String JSONL = "{\"id\":\"a\",\"text\":\"first doc\",\"group\":\"g1\"}\n"
      + "{\"id\":\"b\",\"text\":\"second doc\"}\n";

  static List<Document> readAll(CorpusReader r) {
    List<Document> out = new ArrayList<>();
    try (r) {
      while (r.hasNext()) out.add(r.next());
    }
    return out;
  }

  Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    return p;
  }

  static byte[] compress(String codec, byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream o = switch (codec) {
      case "gz" -> new GZIPOutputStream(bos);
      case "bz2" -> new BZip2CompressorOutputStream(bos);
      case "xz" -> new XZCompressorOutputStream(bos);
      case "zst" -> new ZstdOutputStream(bos);
      default -> bos;
    }) {
      o.write(data);
    }
    return bos.toByteArray();
  }

  @Test
  void everyCompressionGivesTheSameDocuments() throws IOException {
    byte[] raw = JSONL.getBytes(StandardCharsets.UTF_8);
    for (String codec : List.of("", "gz", "bz2", "xz", "zst")) {
      Path p = write("c/docs.jsonl" + (codec.isEmpty() ? "" : "." + codec), compress(codec, raw));
      List<Document> docs = readAll(Corpus.read(List.of(p), ReaderOptions.defaults()));
      assertEquals(List.of("first doc", "second doc"), docs.stream().map(Document::text).toList(), codec);
      assertEquals("a", docs.get(0).id());
      assertEquals("g1", docs.get(0).metadata().get("group"));
      assertEquals("1", docs.get(0).metadata().get("line"));
    }
  }

  @Test
  void textFilesBlocksFoldersGlobsAndTar() throws IOException {
    write("t/a.txt", "para one\nstill one\n\n\npara two\n".getBytes(StandardCharsets.UTF_8));
    write("t/sub/b.txt", "whole file".getBytes(StandardCharsets.UTF_8));
    List<Document> file = readAll(Corpus.read(List.of(dir.resolve("t")), ReaderOptions.defaults()));
    assertEquals(List.of("para one\nstill one\n\n\npara two", "whole file"), file.stream().map(Document::text).toList());
    List<Document> blocks = readAll(Corpus.read(List.of(dir.resolve("t/*.txt")),
        ReaderOptions.defaults().withTextMode(ReaderOptions.TextMode.BLOCK)));
    assertEquals(List.of("para one\nstill one", "para two"), blocks.stream().map(Document::text).toList());
    assertEquals("5", blocks.get(1).metadata().get("line"));

    // The archive comes from the system tar (an independent writer), with a '..' entry name and a
    // name longer than 100 bytes (GNU long-name record).
    write("escape.jsonl", JSONL.getBytes(StandardCharsets.UTF_8));
    String longName = "l".repeat(120) + ".txt.gz";
    write("x/" + longName, compress("gz", "inner text".getBytes(StandardCharsets.UTF_8)));
    Path work = Files.createDirectories(dir.resolve("x/y"));
    Path tgz = dir.resolve("arch.tar.gz");
    Process tar = new ProcessBuilder("tar", "-czPf", tgz.toString(), "../../escape.jsonl", "../" + longName)
        .directory(work.toFile()).redirectErrorStream(true).start();
    try {
      org.junit.jupiter.api.Assumptions.assumeTrue(tar.waitFor() == 0, "system tar is needed for this test");
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    Files.delete(dir.resolve("escape.jsonl"));
    List<Document> fromTar = readAll(Corpus.read(List.of(tgz), ReaderOptions.defaults()));
    assertEquals(List.of("first doc", "second doc", "inner text"), fromTar.stream().map(Document::text).toList());
    assertEquals(tgz + "!../../escape.jsonl", fromTar.get(0).metadata().get("source"));
    assertFalse(Files.exists(dir.resolve("escape.jsonl")), "tar entries are never extracted");
    assertFalse(Files.exists(dir.getParent().resolve("escape.jsonl")), "tar entries are never extracted");
  }

  @Test
  void badLinesAreCountedWithFileAndLineAndTheRunGoesOn() throws IOException {
    String bad = "{\"text\":\"ok 1\"}\n"
        + "{not json\n"
        + "{\"body\":\"no text field\"}\n"
        + "{\"text\":\"   \"}\n"
        + "{\"text\":\"" + "x".repeat(5000) + "\"}\n"
        + "{\"text\":\"bad \u00ff" + "\"}\n"
        + "[1,2]\n"
        + "{\"text\":\"ok 2\"}\n";
    byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
    // Replace the UTF-8 of U+00FF (C3 BF) by a lone continuation byte: invalid UTF-8.
    for (int i = 0; i + 1 < bytes.length; i++) {
      if ((bytes[i] & 0xff) == 0xC3 && (bytes[i + 1] & 0xff) == 0xBF) bytes[i] = (byte) 0xBF;
    }
    Path p = write("bad.jsonl", bytes);
    CorpusReader r = Corpus.read(List.of(p), ReaderOptions.defaults().withLimits(1024, 1 << 20, 1L << 40, 1000));
    List<Document> docs = readAll(r);
    assertEquals(List.of("ok 1", "bad \uFFFD\uFFFD", "ok 2"), docs.stream().map(Document::text).toList());
    System.out.println(r.problems().examples());
    assertEquals(2L, r.problems().counts().get("malformed_json"));
    assertEquals(1L, r.problems().counts().get("missing_text_field"));
    assertEquals(1L, r.problems().counts().get("empty_document"));
    assertEquals(1L, r.problems().counts().get("line_too_long"));
    assertEquals(1L, r.problems().counts().get("invalid_utf8"));
    assertEquals(5L, r.problems().examples().stream().filter(x -> x.kind().equals("line_too_long")).findFirst().get().line());

    IllegalArgumentException strict = assertThrows(IllegalArgumentException.class,
        () -> readAll(Corpus.read(List.of(p), ReaderOptions.defaults().withStrict(true))));
    assertTrue(strict.getMessage().contains("bad.jsonl:2"), strict.getMessage());
  }

  @Test
  void truncatedAndGarbageFilesAreSkippedNotFatal() throws IOException {
    byte[] gz = compress("gz", (JSONL + JSONL + JSONL).getBytes(StandardCharsets.UTF_8));
    Path truncated = write("trunc.jsonl.gz", Arrays.copyOf(gz, gz.length - 12));
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    Path bin = write("garbage.txt", garbage);
    Path notGz = write("fake.jsonl.gz", "plain".getBytes(StandardCharsets.UTF_8));
    Path good = write("good.jsonl", JSONL.getBytes(StandardCharsets.UTF_8));
    CorpusReader r = Corpus.read(List.of(truncated, bin, notGz, good), ReaderOptions.defaults());
    List<Document> docs = readAll(r);
    System.out.println(r.problems().counts());
    assertEquals(2L, r.problems().counts().get("corrupt_input")); // truncated gzip and fake gzip
    assertEquals(1L, r.problems().counts().getOrDefault("binary_data", 0L));
    assertEquals(List.of("first doc", "second doc"), docs.subList(docs.size() - 2, docs.size()).stream().map(Document::text).toList());
  }

  @Test
  void missingInputAndDecompressionBombStopTheRun() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> Corpus.read(List.of(dir.resolve("nope.jsonl")), ReaderOptions.defaults()));
    byte[] zeros = new byte[8 << 20];
    Path bomb = write("bomb.txt.gz", compress("gz", zeros));
    DecompressionBombException e = assertThrows(DecompressionBombException.class,
        () -> readAll(Corpus.read(List.of(bomb), ReaderOptions.defaults().withLimits(1 << 20, 1 << 20, 1 << 20, 1000))));
    assertTrue(e.getMessage().contains("bomb.txt.gz") && e.getMessage().contains("maxExpandedBytes"), e.getMessage());
  }

  @Test
  void hugeSingleLineUsesBoundedMemory() throws IOException {
    // 100 MB of one line, compressed: read with a 1 MiB cap it must be skipped, not buffered.
    Path p = dir.resolve("huge.jsonl.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
      o.write("{\"text\":\"".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = "abcdefghij".repeat(100_000).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 100; i++) o.write(chunk);
      o.write("\"}\n{\"text\":\"after\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    CorpusReader r = Corpus.read(List.of(p), ReaderOptions.defaults().withLimits(1 << 20, 1 << 20, 1L << 40, 1e6));
    List<Document> docs = readAll(r);
    assertEquals(List.of("after"), docs.stream().map(Document::text).toList());
    assertEquals(1L, r.problems().counts().get("line_too_long"));
    assertTrue(r.bytesRead() > 100_000_000L);
  }

  @Test
  void writerShardsRoundTrip() throws IOException {
    List<Document> in = new ArrayList<>();
    for (int i = 0; i < 50; i++) in.add(new Document("d" + i, "text \"" + i + "\"\n\u00e9", java.util.Map.of("k", "v" + i)));
    for (Compression c : Compression.values()) {
      Path out = dir.resolve("out-" + c);
      try (JsonlShardWriter w = JsonlShardWriter.create(out, "part", 300, c)) {
        in.forEach(w::accept);
        assertTrue(w.shards().size() > 3, "shards: " + w.shards());
      }
      List<Document> back = readAll(Corpus.read(List.of(out), ReaderOptions.defaults()));
      assertEquals(in.stream().map(Document::text).toList(), back.stream().map(Document::text).toList());
      assertEquals("d7", back.get(7).id());
      assertEquals("v7", back.get(7).metadata().get("k"));
    }
  }

  @Test
  void shardLinesListMetadataKeysInSortedOrder(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // Map.copyOf iterates in an order seeded per JVM, so only sorting gives the same bytes run after run.
    java.util.Map<String, String> meta = new java.util.HashMap<>();
    for (String k : List.of("source", "line", "group", "zeta", "alpha", "mid")) meta.put(k, k.toUpperCase(java.util.Locale.ROOT));
    try (JsonlShardWriter w = JsonlShardWriter.create(dir, "part", 1 << 20, Compression.NONE)) {
      w.accept(new Document("d", "t", meta));
    }
    String line = java.nio.file.Files.readString(dir.resolve("part-00000.jsonl"));
    assertEquals("{\"id\":\"d\",\"text\":\"t\",\"alpha\":\"ALPHA\",\"group\":\"GROUP\",\"line\":\"LINE\",\"mid\":\"MID\","
        + "\"source\":\"SOURCE\",\"zeta\":\"ZETA\"}\n", line);
  }
}
