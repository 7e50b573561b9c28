package dev.llmj.data.shard;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of damage to a shard or its index gives an error naming the file and the field. */
class MalformedShardTest {
  @TempDir Path tmp;
  private Path dir;
  private byte[] good;

  @BeforeEach
  void writeGoodShard() throws IOException {
    dir = tmp.resolve("good");
    try (ShardWriter w = ShardWriter.create(dir, ShardWriter.Config.of(257, 256))) {
      w.writeDocument(new int[] {1, 2, 3, 4, 5});
      w.writeDocument(new int[] {6, 7});
      w.finish();
    }
    good = Files.readAllBytes(dir.resolve("shard-00000.bin"));
  }

  @Test
  void wrongMagic() throws IOException {
    expectShardError(b -> b.put(0, (byte) 'X'), "'magic'", "\"LLMJTOK\\x00\"");
  }

  @Test
  void unknownVersion() throws IOException {
    expectShardError(b -> b.putInt(8, 2), "'version' is 2", "expected 1");
  }

  @Test
  void badHeaderLength() throws IOException {
    expectShardError(b -> b.putInt(12, 12), "'header length' is 12", "multiple of 8");
  }

  @Test
  void unknownDtype() throws IOException {
    expectShardError(b -> b.putInt(16, 7), "'dtype' is 7", "1 (uint16) or 2 (uint32)");
  }

  @Test
  void vocabTooLargeForUint16() throws IOException {
    expectShardError(b -> b.putInt(20, 70_000), "'vocab size' is 70000", "65536");
  }

  @Test
  void tokenCountBeyondFileIsTruncation() throws IOException {
    expectShardError(b -> b.putLong(24, 1000), "'token count' is 1000", "truncated");
  }

  @Test
  void tokenCountBelowFileIsTrailingData() throws IOException {
    expectShardError(b -> b.putLong(24, 5), "'token count' is 5", "trailing data");
  }

  @Test
  void documentCountAboveTokens() throws IOException {
    expectShardError(b -> b.putLong(32, 99), "'document count' is 99", "0..9");
  }

  @Test
  void eotOutsideVocab() throws IOException {
    expectShardError(b -> b.putInt(40, 300), "'eot id' is 300", "0..256");
  }

  @Test
  void truncatedFile() throws IOException {
    Path f = tmp.resolve("cut.bin");
    Files.write(f, Arrays.copyOf(good, good.length - 3));
    expectMessage(() -> ShardReader.open(f), f, "'token count' is 9", "truncated");
    Files.write(f, Arrays.copyOf(good, 10));
    expectMessage(() -> ShardReader.open(f), f, "truncated header", "needs 64");
  }

  @Test
  void tokenAboveVocabFoundByValidate() throws IOException {
    Path f = tmp.resolve("big-token.bin");
    ByteBuffer b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(ShardFormat.HEADER_BYTES + 2 * 4, (short) 300);
    Files.write(f, b.array());
    ShardReader r = ShardReader.open(f);
    expectMessage(r::validate, f, "token 300 at position 4", "vocab size 257");
    Files.write(dir.resolve("shard-00000.bin"), b.array());
    PackingIterator it = PackingIterator.open(dir, PackingConfig.of(2, 1));
    expectMessage(it::validateTokens, dir.resolve("shard-00000.bin"), "token 300 at position 4");
  }

  @Test
  void indexProblems() throws IOException {
    Path index = dir.resolve(ShardIndex.FILE_NAME);
    String json = Files.readString(index);
    Files.writeString(index, json.replace("\"shards\"", "\"shardz\""));
    expectMessage(() -> ShardIndex.read(dir), index, "unknown key 'shardz'", "valid keys");
    Files.writeString(index, json.substring(0, json.length() / 2));
    expectMessage(() -> ShardIndex.read(dir), index, "not valid JSON", "line");
    Files.writeString(index, json.replace("shard-00000.bin", "../shard-00000.bin"));
    expectMessage(() -> ShardIndex.read(dir), index, "plain file name", "../shard-00000.bin");
    Files.writeString(index, json.replace("\"tokens\" : 9,\n  \"documents\"",
        "\"tokens\" : 10,\n  \"documents\""));
    expectMessage(() -> ShardIndex.read(dir), index, "key 'tokens' is 10", "add up to 9");
    Files.writeString(index, json.replace("\"vocab_size\" : 257", "\"vocab_size\" : \"257\""));
    expectMessage(() -> ShardIndex.read(dir), index, "'vocab_size' must be an integer", "257");
    // index and shard header disagree
    Files.writeString(index, json.replace("\"tokens\" : 9", "\"tokens\" : 8"));
    expectMessage(() -> PackingIterator.open(dir, PackingConfig.of(2, 1)),
        dir.resolve("shard-00000.bin"), "header says 9 tokens", "says 8 tokens");
  }

  private void expectShardError(Consumer<ByteBuffer> damage, String field, String expected)
      throws IOException {
    ByteBuffer b = ByteBuffer.wrap(good.clone()).order(ByteOrder.LITTLE_ENDIAN);
    damage.accept(b);
    Path f = tmp.resolve("damaged.bin");
    Files.write(f, b.array());
    expectMessage(() -> ShardReader.open(f), f, field, expected);
  }

  private static void expectMessage(Runnable r, Path file, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), "file name missing: " + e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing: " + e.getMessage());
    }
  }
}
