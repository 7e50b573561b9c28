package dev.llmj.core.train;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** A {@link PositionedIterator} over another iterator: forwards everything but the position. */
abstract class ForwardingIterator implements PositionedIterator {

  final DataSetIterator in;

  ForwardingIterator(DataSetIterator in) {
    if (in == null) {
      throw new IllegalArgumentException("iterator is null");
    }
    this.in = in;
  }

  @Override
  public DataSet next(int num) {
    return in.next(num);
  }

  @Override
  public DataSet next() {
    return in.next();
  }

  @Override
  public boolean hasNext() {
    return in.hasNext();
  }

  @Override
  public void reset() {
    in.reset();
  }

  @Override
  public boolean resetSupported() {
    return in.resetSupported();
  }

  /** Never: a prefetching wrapper would make {@link #position()} run ahead of what training consumed. */
  @Override
  public boolean asyncSupported() {
    return false;
  }

  @Override
  public int inputColumns() {
    return in.inputColumns();
  }

  @Override
  public int totalOutcomes() {
    return in.totalOutcomes();
  }

  @Override
  public int batch() {
    return in.batch();
  }

  @Override
  public void setPreProcessor(DataSetPreProcessor preProcessor) {
    in.setPreProcessor(preProcessor);
  }

  @Override
  public DataSetPreProcessor getPreProcessor() {
    return in.getPreProcessor();
  }

  @Override
  public List<String> getLabels() {
    return in.getLabels();
  }
}
