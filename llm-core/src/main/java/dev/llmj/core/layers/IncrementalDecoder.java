package dev.llmj.core.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs a graph built from this package's layers one chunk of tokens at a time, keeping each block's
 * keys and values, so a new token costs one position of work instead of re-running the prefix.
 * Feeding a whole sequence at once or token by token gives the same logits.
 *
 * <pre>{@code
 * IncrementalDecoder dec = new IncrementalDecoder(graph, 1, 256);
 * INDArray logits = dec.feed(new int[][] {prompt});      // (1, V), logits after the prompt
 * logits = dec.feed(new int[][] {{next}});                // one more position
 * }</pre>
 *
 * Not thread-safe; one decoder per sequence batch. Dropout is off (inference).
 */
public final class IncrementalDecoder {

  private final TokenEmbeddingLayer embed;
  private final List<DecoderBlockLayer> blocks = new ArrayList<>();
  private final LmHeadLayer head;
  private final List<KvCache> caches = new ArrayList<>();
  private final int batch;
  private final int capacity;
  private long length;

  /** A decoder for {@code batch} sequences of at most {@code capacity} positions. */
  public IncrementalDecoder(ComputationGraph graph, int batch, int capacity) {
    if (batch <= 0 || capacity <= 0) {
      throw new IllegalArgumentException("batch and capacity must be positive, got " + batch + " and " + capacity);
    }
    TokenEmbeddingLayer e = null;
    LmHeadLayer h = null;
    GraphVertex[] vertices = graph.getVertices();
    for (int idx : graph.topologicalSortOrder()) {
      Layer layer = vertices[idx].getLayer();
      if (vertices[idx].isInputVertex()) {
        continue;
      } else if (layer instanceof TokenEmbeddingLayer t && e == null) {
        e = t;
      } else if (layer instanceof DecoderBlockLayer b && e != null && h == null) {
        blocks.add(b);
      } else if (layer instanceof LmHeadLayer l && e != null && h == null) {
        h = l;
      } else {
        throw new UnsupportedOperationException("incremental decoding supports the chain TokenEmbeddingConfig -> "
            + "DecoderBlockConfig* -> LmHeadConfig; vertex '" + vertices[idx].getVertexName() + "' does not fit");
      }
    }
    if (e == null || h == null) {
      throw new UnsupportedOperationException("graph has no TokenEmbeddingConfig or no LmHeadConfig layer");
    }
    this.embed = e;
    this.head = h;
    this.batch = batch;
    this.capacity = capacity;
    DataType type = e.getParam("wte").dataType();
    for (DecoderBlockLayer b : blocks) {
      DecoderBlockConfig cfg = b.layerConf();
      caches.add(new KvCache(type, batch, capacity, cfg.getNKvHeads(), cfg.headSize()));
    }
  }

  /** Positions decoded so far. */
  public long length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  /** Forgets every position, keeping the allocated cache. */
  public void reset() {
    caches.forEach(KvCache::reset);
    length = 0;
  }

  /** Feeds tokens (B, n) at the next n positions; returns the logits (B, V) of the last one. */
  public INDArray feed(int[][] ids) {
    INDArray all = feedAll(ids);
    long n = all.size(1);
    return all.get(NDArrayIndex.all(), NDArrayIndex.point(n - 1), NDArrayIndex.all()).dup('c');
  }

  /** Feeds tokens (B, n) at the next n positions; returns the logits (B, n, V) of all of them. */
  public INDArray feedAll(int[][] ids) {
    if (ids.length != batch) {
      throw new IllegalArgumentException("expected " + batch + " sequences, got " + ids.length);
    }
    int n = ids[0].length;
    if (n == 0) {
      throw new IllegalArgumentException("feed at least one token");
    }
    int[] flat = new int[batch * n];
    for (int i = 0; i < batch; i++) {
      if (ids[i].length != n) {
        throw new IllegalArgumentException("all sequences must feed " + n + " tokens; sequence " + i + " has "
            + ids[i].length);
      }
      System.arraycopy(ids[i], 0, flat, i * n, n);
    }
    if (length + n > capacity) {
      throw new IllegalStateException("decoder holds " + capacity + " positions; " + length + " used, cannot feed "
          + n + " more (create it with a larger capacity, at most the model's context length)");
    }
    Ops.ids(Nd4j.createFromArray(flat), embed.layerConf().getVocabSize(), Integer.MIN_VALUE, "token id");
    INDArray x = embed.embed(flat, batch, n, length);
    for (int i = 0; i < blocks.size(); i++) {
      x = blocks.get(i).decode(x, caches.get(i));
    }
    length += n;
    return head.logits(x).reshape(batch, n, head.layerConf().getVocabSize());
  }
}
