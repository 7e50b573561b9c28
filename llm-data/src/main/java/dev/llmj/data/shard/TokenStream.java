package dev.llmj.data.shard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Several shards read as one concatenated token stream. */
final class TokenStream {
  private final List<ShardReader> shards;
  /** starts[i] is the stream position of shard i's first token; starts[n] is the total. */
  private final long[] starts;
  private final int vocabSize;

  private TokenStream(List<ShardReader> shards) {
    this.shards = List.copyOf(shards);
    this.starts = new long[shards.size() + 1];
    for (int i = 0; i < shards.size(); i++) {
      starts[i + 1] = starts[i] + shards.get(i).size();
    }
    this.vocabSize = shards.get(0).vocabSize();
  }

  /** Opens shard files in the given order; they must agree on the vocabulary size. */
  static TokenStream open(List<Path> files) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no shard files given; write some with TokenShards.write");
    }
    List<ShardReader> readers = new ArrayList<>();
    for (Path f : files) {
      ShardReader r = ShardReader.open(f);
      if (!readers.isEmpty() && r.vocabSize() != readers.get(0).vocabSize()) {
        throw new IllegalArgumentException(f + ": vocab size " + r.vocabSize() + " differs from "
            + readers.get(0).vocabSize() + " in " + readers.get(0).file()
            + "; shards of one stream must come from one tokenizer");
      }
      readers.add(r);
    }
    return new TokenStream(readers);
  }

  /** Opens the shards listed in {@code dir/index.json}, checking each against its entry. */
  static TokenStream openDirectory(Path dir) {
    ShardIndex index = ShardIndex.read(dir);
    TokenStream s = open(index.files(dir));
    for (int i = 0; i < index.shards().size(); i++) {
      ShardIndex.Entry e = index.shards().get(i);
      ShardReader r = s.shards.get(i);
      if (r.size() != e.tokens() || r.vocabSize() != index.vocabSize()) {
        throw new IllegalArgumentException(r.file() + ": header says " + r.size()
            + " tokens, vocab size " + r.vocabSize() + "; " + dir.resolve(ShardIndex.FILE_NAME)
            + " says " + e.tokens() + " tokens, vocab size " + index.vocabSize());
      }
    }
    return s;
  }

  long size() {
    return starts[starts.length - 1];
  }

  int vocabSize() {
    return vocabSize;
  }

  List<ShardReader> shards() {
    return shards;
  }

  /** Reads {@code length} tokens from stream position {@code start}, across shard boundaries. */
  void read(long start, int[] dst, int offset, int length) {
    Objects.checkFromIndexSize(start, length, size());
    int i = Arrays.binarySearch(starts, start);
    // An exact hit may be the start of empty shards; skip to the last shard starting there.
    i = i >= 0 ? lastStartingAt(i) : -i - 2;
    long pos = start;
    int done = 0;
    while (done < length) {
      ShardReader r = shards.get(i);
      long local = pos - starts[i];
      int n = (int) Math.min(length - done, r.size() - local);
      r.read(local, dst, offset + done, n);
      done += n;
      pos += n;
      i++;
    }
  }

  private int lastStartingAt(int i) {
    while (i + 1 < starts.length - 1 && starts[i + 1] == starts[i]) {
      i++;
    }
    return i;
  }
}
