package dev.llmj.core.io;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Moves chunks between Java arrays and the flat storage of a c-order, non-view INDArray. On the CPU
 * backend this is a memcpy into the off-heap buffer, 10-20x faster than creating a temporary array
 * and assigning it to an interval view; other backends take the view path, which keeps device
 * copies in sync.
 */
final class BulkCopy {
  private BulkCopy() {}

  private static final boolean CPU = Nd4j.getEnvironment().isCPU();

  static void put(INDArray target, long offset, float[] src) {
    if (CPU && target.dataType() == DataType.FLOAT) {
      new FloatPointer(target.data().addressPointer()).position(offset).put(src, 0, src.length);
    } else {
      view(target, offset, src.length).assign(Nd4j.createFromArray(src));
    }
  }

  static void put(INDArray target, long offset, double[] src) {
    if (CPU && target.dataType() == DataType.DOUBLE) {
      new DoublePointer(target.data().addressPointer()).position(offset).put(src, 0, src.length);
    } else {
      view(target, offset, src.length).assign(Nd4j.createFromArray(src));
    }
  }

  static float[] getFloats(INDArray source, long offset, int n) {
    float[] out = new float[n];
    if (CPU && source.dataType() == DataType.FLOAT) {
      new FloatPointer(source.data().addressPointer()).position(offset).get(out, 0, n);
      return out;
    }
    return view(source, offset, n).toFloatVector();
  }

  static double[] getDoubles(INDArray source, long offset, int n) {
    double[] out = new double[n];
    if (CPU && source.dataType() == DataType.DOUBLE) {
      new DoublePointer(source.data().addressPointer()).position(offset).get(out, 0, n);
      return out;
    }
    return view(source, offset, n).toDoubleVector();
  }

  private static INDArray view(INDArray array, long offset, int n) {
    return array.reshape('c', new long[] {array.length()}).get(NDArrayIndex.interval(offset, offset + n));
  }
}
