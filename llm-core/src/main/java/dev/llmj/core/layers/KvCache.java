package dev.llmj.core.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Keys and values of one block for the positions decoded so far: (B, capacity, Hkv, D) each. */
final class KvCache {

  private final INDArray keys;
  private final INDArray values;
  private long length;

  KvCache(DataType type, long b, long capacity, long hkv, long d) {
    this.keys = Nd4j.create(type, b, capacity, hkv, d);
    this.values = Nd4j.create(type, b, capacity, hkv, d);
  }

  long length() {
    return length;
  }

  void append(INDArray k, INDArray v) {
    long n = k.size(1);
    if (length + n > keys.size(1)) {
      throw new IllegalStateException("key/value cache holds " + keys.size(1) + " positions; cannot add " + n
          + " after " + length + " (raise maxLength of the decoder)");
    }
    slice(keys, length, length + n).assign(k);
    slice(values, length, length + n).assign(v);
    length += n;
  }

  INDArray keys() {
    return slice(keys, 0, length);
  }

  INDArray values() {
    return slice(values, 0, length);
  }

  void reset() {
    length = 0;
  }

  private static INDArray slice(INDArray a, long from, long to) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
  }
}
