package dev.llmj.data.shard;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training batches cut from a shard directory read as one token stream. Window {@code w} covers
 * stream tokens {@code [w*T, w*T + T + 1)}: features are its first T tokens, labels its last T, so
 * consecutive windows share one token and every token is predicted once per epoch. A tail fraction
 * of the stream can be held out; {@link #validation()} iterates it in order.
 *
 * <p>Each {@link DataSet} holds features (B, T) and labels (B, T): token ids, not one-hot.
 *
 * <p>Epochs live inside the iterator: set {@link PackingConfig#epochs()} and call DL4J's
 * {@code fit(iterator)} once. {@code fit(iterator, n)} resets between passes, and {@link #reset()}
 * rewinds to epoch 0, so every pass would repeat the first epoch's order. Not thread-safe; one
 * consumer per iterator.
 *
 * <pre>{@code
 * PackingIterator train = PackingIterator.open(Path.of("shards"),
 *     PackingConfig.of(256, 16).withEpochs(2).withShuffle(42).withValidationFraction(0.01));
 * DataSetIterator val = train.validation();
 * while (train.hasNext()) {
 *   DataSet batch = train.next();                 // features, labels: (16, 256) INT32
 *   ...
 *   String resumeFrom = train.position().encode(); // store with the checkpoint
 * }
 * }</pre>
 */
public final class PackingIterator implements DataSetIterator {
  private final TokenStream stream;
  private final PackingConfig config;
  private final String split;
  private final long regionStart;
  private final int windows;
  private final int epochs;
  private final boolean shuffle;
  private final boolean dropLast;
  private final long validationStart;
  private final int validationWindows;
  private final int[] window;

  private int epoch;
  private int cursor;
  private int[] order;
  private int orderEpoch = -1;
  private DataSetPreProcessor preProcessor;

  private PackingIterator(TokenStream stream, PackingConfig config, String split, long regionStart,
      int windows, long validationStart, int validationWindows) {
    boolean train = split.equals(PackingPosition.TRAIN);
    this.stream = stream;
    this.config = config;
    this.split = split;
    this.regionStart = regionStart;
    this.windows = windows;
    // Validation is one ordered pass over every held-out token, so a smaller last batch is kept.
    this.epochs = train ? config.epochs() : 1;
    this.shuffle = train && config.shuffle();
    this.dropLast = train && config.dropLast();
    this.validationStart = validationStart;
    this.validationWindows = validationWindows;
    this.window = new int[config.seqLen() + 1];
  }

  /** Opens the shards listed in {@code dir/index.json}. */
  public static PackingIterator open(Path dir, PackingConfig config) {
    return create(TokenStream.openDirectory(dir), config);
  }

  /** Opens shard files, concatenated in the given order. */
  public static PackingIterator open(List<Path> shardFiles, PackingConfig config) {
    return create(TokenStream.open(shardFiles), config);
  }

  private static PackingIterator create(TokenStream stream, PackingConfig cfg) {
    if (cfg.dataType() == DataType.FLOAT && stream.vocabSize() > (1 << 24)) {
      throw new IllegalArgumentException("dataType FLOAT holds ids exactly only below 2^24, but "
          + "the vocab size is " + stream.vocabSize() + "; use INT32");
    }
    long total = stream.size();
    long span = cfg.seqLen() + 1L;
    long valTokens = (long) Math.floor(total * cfg.validationFraction());
    if (cfg.validationFraction() > 0 && valTokens < span) {
      throw new IllegalArgumentException("validation split is " + valTokens + " tokens ("
          + "validationFraction " + cfg.validationFraction() + " of " + total + " tokens), shorter "
          + "than one window of seqLen + 1 = " + span + " tokens; raise validationFraction to at "
          + "least " + Math.ceil(1e6 * span / Math.max(1, total)) / 1e6 + " or lower seqLen");
    }
    long trainTokens = total - valTokens;
    long trainWindows = trainTokens < span ? 0 : (trainTokens - 1) / cfg.seqLen();
    long valWindows = valTokens < span ? 0 : (valTokens - 1) / cfg.seqLen();
    if (trainWindows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(trainWindows + " windows per epoch exceed "
          + Integer.MAX_VALUE + "; raise seqLen or split the shards into several iterators");
    }
    if (trainWindows < (cfg.dropLast() ? cfg.batchSize() : 1)) {
      throw new IllegalArgumentException("training split of " + trainTokens + " tokens gives "
          + trainWindows + " windows of seqLen + 1 = " + span + " tokens, fewer than one batch of "
          + cfg.batchSize() + "; add data, lower seqLen or batchSize, or set dropLast false");
    }
    return new PackingIterator(stream, cfg, PackingPosition.TRAIN, 0, (int) trainWindows,
        trainTokens, (int) valWindows);
  }

  /**
   * The held-out tail of the stream as a second iterator: one pass, stream order, last partial
   * batch kept. Its windows never overlap training windows.
   */
  public PackingIterator validation() {
    if (!split.equals(PackingPosition.TRAIN)) {
      throw new IllegalStateException("validation() called on the validation iterator");
    }
    if (validationWindows == 0) {
      throw new IllegalStateException("no validation split: validationFraction is "
          + config.validationFraction() + "; set it above 0 with withValidationFraction");
    }
    PackingIterator v = new PackingIterator(stream, config, PackingPosition.VALIDATION,
        validationStart, validationWindows, 0, 0);
    v.preProcessor = preProcessor;
    return v;
  }

  /**
   * Checks every token of every shard against the vocabulary size (one pass over the data), so
   * that a corrupt shard fails here, naming the file and position, rather than deep in a model.
   */
  public void validateTokens() {
    stream.shards().forEach(ShardReader::validate);
  }

  public PackingConfig config() {
    return config;
  }

  public int vocabSize() {
    return stream.vocabSize();
  }

  /** Windows of T + 1 tokens in this iterator's part of the stream. */
  public int windowsPerEpoch() {
    return windows;
  }

  /** Batches per epoch, counting a partial last batch unless it is dropped. */
  public int batchesPerEpoch() {
    int b = config.batchSize();
    return dropLast ? windows / b : (windows + b - 1) / b;
  }

  /** Label tokens (predicted positions) per epoch: the windows in those batches times T. */
  public long tokensPerEpoch() {
    long used = dropLast ? (long) batchesPerEpoch() * config.batchSize() : windows;
    return used * config.seqLen();
  }

  /** Batches over all epochs. */
  public long totalBatches() {
    return (long) batchesPerEpoch() * epochs;
  }

  @Override
  public boolean hasNext() {
    return epoch < epochs;
  }

  @Override
  public DataSet next() {
    return next(config.batchSize());
  }

  /**
   * The next {@code num} windows of the current epoch, fewer at its end; never spans two epochs.
   */
  @Override
  public DataSet next(int num) {
    if (num < 1) {
      throw new IllegalArgumentException("num is " + num + ", expected >= 1");
    }
    if (!hasNext()) {
      throw new NoSuchElementException("all " + epochs + " epochs are done; call reset()");
    }
    int n = Math.min(num, windows - cursor);
    int t = config.seqLen();
    int[] features = new int[n * t];
    int[] labels = new int[n * t];
    int[] visit = orderOf(epoch);
    for (int b = 0; b < n; b++) {
      int w = visit == null ? cursor + b : visit[cursor + b];
      stream.read(regionStart + (long) w * t, window, 0, t + 1);
      System.arraycopy(window, 0, features, b * t, t);
      System.arraycopy(window, 1, labels, b * t, t);
    }
    cursor += n;
    settle();
    DataSet ds;
    // Batches outlive whatever workspace the caller has open, so they are allocated outside it.
    MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
    try {
      long[] shape = {n, t};
      INDArray f = Nd4j.create(features, shape, config.dataType()); // (B, T)
      INDArray l = Nd4j.create(labels, shape, config.dataType()); // (B, T)
      ds = new DataSet(f, l);
    } finally {
      outside.close();
    }
    if (preProcessor != null) {
      preProcessor.preProcess(ds);
    }
    return ds;
  }

  /**
   * Moves past the batch {@link #next()} would return, without reading it: how one rank of a
   * data-parallel job steps over the other ranks' blocks of the global batch.
   */
  public void skip() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + epochs + " epochs are done; call reset()");
    }
    cursor += Math.min(config.batchSize(), windows - cursor);
    settle();
  }

  /** Where the next batch starts. */
  public PackingPosition position() {
    return new PackingPosition(split, epoch, cursor, config.seed(), shuffle, windows,
        config.seqLen());
  }

  /**
   * Continues from a saved position: the next batch is the one that followed it when saved. The
   * position must come from an iterator with the same data and configuration.
   */
  public void restore(PackingPosition p) {
    PackingPosition here = position();
    if (!p.split().equals(split) || p.seed() != here.seed() || p.shuffle() != shuffle
        || p.windows() != windows || p.seqLen() != config.seqLen()) {
      throw new IllegalArgumentException("position " + p + " was saved by a different iterator: "
          + "this one has " + here + "; open the same shards with the same PackingConfig");
    }
    if (p.epoch() > epochs || p.window() > windows || (p.epoch() == epochs && p.window() > 0)) {
      throw new IllegalArgumentException("position " + p + " is beyond this iterator's "
          + epochs + " epochs of " + windows + " windows");
    }
    epoch = p.epoch();
    cursor = p.window();
    settle();
  }

  /** Positions the iterator before batch {@code step} (counted from 0 over all epochs). */
  public void seekBatch(long step) {
    if (step < 0 || step > totalBatches()) {
      throw new IllegalArgumentException("step is " + step + ", expected 0.." + totalBatches());
    }
    epoch = (int) (step / batchesPerEpoch());
    cursor = (int) (step % batchesPerEpoch()) * config.batchSize();
    settle();
  }

  /** Rewinds to the first batch of epoch 0. */
  @Override
  public void reset() {
    epoch = 0;
    cursor = 0;
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  /**
   * False on purpose. DL4J wraps iterators that allow it in an AsyncDataSetIterator whose thread
   * reads batches ahead; {@link #position()} would then report where the prefetcher is, not what
   * the model has consumed, and a checkpoint would skip the prefetched batches on resume. Building
   * a batch is a memory copy from mapped shards, cheap next to a training step, so nothing is
   * lost.
   */
  @Override
  public boolean asyncSupported() {
    return false;
  }

  /** T: one token id per time step. */
  @Override
  public int inputColumns() {
    return config.seqLen();
  }

  /** V: labels are ids in {@code [0, V)}. */
  @Override
  public int totalOutcomes() {
    return stream.vocabSize();
  }

  @Override
  public int batch() {
    return config.batchSize();
  }

  @Override
  public void setPreProcessor(DataSetPreProcessor preProcessor) {
    this.preProcessor = preProcessor;
  }

  @Override
  public DataSetPreProcessor getPreProcessor() {
    return preProcessor;
  }

  /** Null: the outcomes are token ids, not named classes. */
  @Override
  public List<String> getLabels() {
    return null;
  }

  /** Moves past an epoch that cannot yield another batch. */
  private void settle() {
    int needed = dropLast ? config.batchSize() : 1;
    if (epoch < epochs && windows - cursor < needed) {
      epoch++;
      cursor = 0;
    }
  }

  private int[] orderOf(int e) {
    if (!shuffle) {
      return null;
    }
    if (orderEpoch != e) {
      order = WindowOrder.shuffled(windows, config.seed(), e);
      orderEpoch = e;
    }
    return order;
  }

  /** DataSetIterator is Serializable by inheritance; positions are saved with {@link #position}. */
  private void writeObject(ObjectOutputStream out) throws IOException {
    throw new NotSerializableException("PackingIterator: save position().encode() instead");
  }
}
