package dev.llmj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded toy next-token batches: batch i of every epoch is a pure function of (seed, i), so the iterator
 * can seek. Labels follow a noisy rule (next = 3 * token + 1 mod V) that a model can learn.
 */
final class ToyData implements PositionedIterator {

  private final long seed;
  private final int batchSize;
  private final int numBatches;
  private final DataType dtype;
  private final Set<Long> nanBatches; // global batch numbers (epoch * numBatches + index) to poison
  private int epoch;
  private int index;

  ToyData(long seed, int batchSize, int numBatches, DataType dtype, Set<Long> nanBatches) {
    this.seed = seed;
    this.batchSize = batchSize;
    this.numBatches = numBatches;
    this.dtype = dtype;
    this.nanBatches = nanBatches;
  }

  ToyData(long seed, int batchSize, int numBatches, DataType dtype) {
    this(seed, batchSize, numBatches, dtype, Set.of());
  }

  /** Batch {@code i} of any epoch: features (B, 1) token ids, labels (B, V) one-hot. */
  static DataSet batch(long seed, int i, int batchSize, DataType dtype) {
    Random r = new Random(seed * 1_000_003L + i);
    INDArray f = Nd4j.create(dtype, batchSize, 1);
    INDArray l = Nd4j.zeros(dtype, batchSize, ToyModels.VOCAB);
    for (int b = 0; b < batchSize; b++) {
      int tok = r.nextInt(ToyModels.VOCAB);
      int next = r.nextDouble() < 0.8 ? (3 * tok + 1) % ToyModels.VOCAB : r.nextInt(ToyModels.VOCAB);
      f.putScalar(b, 0, tok);
      l.putScalar(b, next, 1.0);
    }
    return new DataSet(f, l);
  }

  @Override
  public DataSet next() {
    DataSet ds = batch(seed, index, batchSize, dtype);
    if (nanBatches.contains((long) epoch * numBatches + index)) {
      ds.getLabels().putScalar(0, 0, Double.NaN);
    }
    index++;
    return ds;
  }

  @Override
  public DataSet next(int num) {
    throw new UnsupportedOperationException("next(num)");
  }

  @Override
  public boolean hasNext() {
    return index < numBatches;
  }

  @Override
  public void reset() {
    if (index > 0) {
      epoch++;
    }
    index = 0;
  }

  @Override
  public JsonNode position() {
    return JsonNodeFactory.instance.objectNode().put("epoch", epoch).put("index", index);
  }

  @Override
  public void restore(JsonNode position) {
    epoch = position.get("epoch").asInt();
    index = position.get("index").asInt();
  }

  @Override
  public int inputColumns() {
    return 1;
  }

  @Override
  public int totalOutcomes() {
    return ToyModels.VOCAB;
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  @Override
  public boolean asyncSupported() {
    return false;
  }

  @Override
  public int batch() {
    return batchSize;
  }

  @Override
  public void setPreProcessor(DataSetPreProcessor preProcessor) {
    throw new UnsupportedOperationException("setPreProcessor");
  }

  @Override
  public DataSetPreProcessor getPreProcessor() {
    return null;
  }

  @Override
  public List<String> getLabels() {
    return null;
  }
}
