package dev.llmj.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Causal multi-head attention as plain ND4J batched matrix products with the (B, H, T, T) score
 * matrix materialised: the baseline the tiled kernel is measured against (H == Hkv only).
 */
final class PlainAttention {

  private PlainAttention() {}

  /** Forward and backward of one call; q, k, v, dOut (B, T, H, D); returns out, dq, dk, dv (B, H, T, D). */
  static INDArray[] forwardBackward(INDArray q, INDArray k, INDArray v, INDArray dOut, double scale) {
    long b = q.size(0), t = q.size(1), h = q.size(2);
    INDArray qh = q.permute(0, 2, 1, 3).dup('c'); // (B, H, T, D)
    INDArray kh = k.permute(0, 2, 1, 3).dup('c');
    INDArray vh = v.permute(0, 2, 1, 3).dup('c');
    INDArray doh = dOut.permute(0, 2, 1, 3).dup('c');
    INDArray mask = Nd4j.create(DataType.FLOAT, t, t); // 0 on and below the diagonal, -inf above
    for (long i = 0; i < t - 1; i++) {
      mask.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(i + 1, t)).assign(Float.NEGATIVE_INFINITY);
    }
    INDArray p = Nd4j.matmul(qh, kh, false, true, false).muli(scale); // (B, H, T, T)
    INDArray rows = p.reshape(b * h, t * t).addiRowVector(mask.reshape(1, t * t)).reshape(b * h * t, t);
    rows.subiColumnVector(rows.max(1).reshape(b * h * t, 1));
    Transforms.exp(rows, false);
    rows.diviColumnVector(rows.sum(1).reshape(b * h * t, 1));
    INDArray out = Nd4j.matmul(p, vh); // (B, H, T, D)
    INDArray dv = Nd4j.matmul(p, doh, true, false, false);
    INDArray dp = Nd4j.matmul(doh, vh, false, true, false);
    INDArray delta = doh.mul(out).sum(3).reshape(b * h * t, 1);
    INDArray ds = dp.reshape(b * h * t, t).subiColumnVector(delta).muli(rows).muli(scale).reshape(b, h, t, t);
    INDArray dq = Nd4j.matmul(ds, kh);
    INDArray dk = Nd4j.matmul(ds, qh, true, false, false);
    return new INDArray[] {out, dq, dk, dv};
  }
}
