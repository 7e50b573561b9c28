package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.io.Checkpoint;
import dev.llmj.data.Document;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.PackingPosition;
import dev.llmj.data.shard.TokenShards;
import dev.llmj.data.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainer over a real shard {@link PackingIterator}, interrupted after its step-16 checkpoint and resumed
 * with a fresh graph and iterator, must read exactly the windows an uninterrupted run reads from step 16 on,
 * and end with the same parameters and Adam state bit for bit.
 */
class PackingResumeTest {

  private static final long SEED = Long.getLong("tests.seed", 23L);
  private static final int STEPS = 24;
  private static final int CHECKPOINT_EVERY = 8;
  private static final int GRAD_ACCUM = 2;

  /** Letters a..j are ids 0..9 and {@code <|endoftext|>} is 10: the toy model's vocabulary. */
  static final class LetterTokenizer implements Tokenizer {
    private static final String EOT = "<|endoftext|>";

    @Override
    public int[] encode(String text) {
      int[] ids = new int[text.length()];
      for (int i = 0; i < ids.length; i++) {
        char c = text.charAt(i);
        if (c < 'a' || c > 'j') {
          throw new IllegalArgumentException("letter '" + c + "' at " + i + " is outside a..j");
        }
        ids[i] = c - 'a';
      }
      return ids;
    }

    @Override
    public int[] encode(String text, boolean allowSpecialTokens) {
      if (!allowSpecialTokens || !text.contains(EOT)) {
        return encode(text);
      }
      List<Integer> ids = new ArrayList<>();
      String[] parts = text.split("<\\|endoftext\\|>", -1);
      for (int p = 0; p < parts.length; p++) {
        if (p > 0) {
          ids.add(ToyModels.VOCAB - 1);
        }
        Arrays.stream(encode(parts[p])).forEach(ids::add);
      }
      return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder s = new StringBuilder();
      for (int id : ids) {
        s.append(id == ToyModels.VOCAB - 1 ? EOT : String.valueOf((char) ('a' + id)));
      }
      return s.toString();
    }

    @Override
    public int vocabSize() {
      return ToyModels.VOCAB;
    }

    @Override
    public OptionalInt specialTokenId(String token) {
      return EOT.equals(token) ? OptionalInt.of(ToyModels.VOCAB - 1) : OptionalInt.empty();
    }

    @Override
    public List<String> specialTokens() {
      return List.of(EOT);
    }
  }

  /** Documents that mostly follow "next letter = 3 * letter + 1 mod 10", so the model has something to learn. */
  private static Path writeShards(Path dir) {
    Random r = new Random(SEED);
    List<Document> docs = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      StringBuilder s = new StringBuilder();
      int c = r.nextInt(10);
      for (int i = r.nextInt(13); i > 0; i--) {
        s.append((char) ('a' + c));
        c = r.nextDouble() < 0.8 ? (3 * c + 1) % 10 : r.nextInt(10);
      }
      docs.add(new Document("doc-" + d, s.toString()));
    }
    TokenShards.write(docs.iterator(), new LetterTokenizer(), dir,
        TokenShards.Options.defaults().withThreads(1).withTokensPerShard(101));
    return dir;
  }

  private static PackingConfig packing() {
    return PackingConfig.of(1, 8).withShuffle(SEED).withEpochs(4).withDataType(DataType.FLOAT);
  }

  /**
   * Logs every batch read as its feature and label ids, and turns its (B, 1) labels into the (B, V) one-hot
   * rows the toy model's output layer takes.
   */
  private static DataSetPreProcessor oneHot(List<String> log) {
    return ds -> {
      INDArray ids = ds.getLabels(); // (B, 1)
      log.add(Arrays.toString(ds.getFeatures().toIntVector()) + "->" + Arrays.toString(ids.toIntVector()));
      INDArray oneHot = Nd4j.zeros(DataType.FLOAT, ids.size(0), ToyModels.VOCAB); // (B, V)
      for (int b = 0; b < ids.size(0); b++) {
        oneHot.putScalar(b, ids.getInt(b, 0), 1.0);
      }
      ds.setLabels(oneHot);
    };
  }

  private static PackingIterator open(Path shards, List<String> log) {
    PackingIterator it = PackingIterator.open(shards, packing());
    it.setPreProcessor(oneHot(log));
    return it;
  }

  private static Trainer trainer(ComputationGraph graph, PackingIterator data, Path run) {
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=" + STEPS, "lr=0.05", "min_lr=0.005",
        "warmup_steps=3", "seq_len=1", "micro_batch=8", "grad_accum=" + GRAD_ACCUM,
        "checkpoint_every=" + CHECKPOINT_EVERY, "progress=never", "threads=1"));
    return Trainer.builder(graph, cfg).train(data).checkpoints(run).build();
  }

  @Test
  void resumedRunReadsTheSameWindowsAndEndsBitwiseEqual(@TempDir Path tmp) throws Exception {
    System.out.println("seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
    Path shards = writeShards(tmp.resolve("shards"));

    List<String> straight = new ArrayList<>();
    trainer(ToyModels.nextToken(SEED, DataType.FLOAT, 0), open(shards, straight), tmp.resolve("a")).run();

    // The interrupted run dies two steps after its second checkpoint.
    List<String> first = new ArrayList<>();
    ComputationGraph crashing = ToyModels.nextToken(SEED, DataType.FLOAT, 0);
    crashing.setListeners(new BaseTrainingListener() {
      @Override
      public void iterationDone(Model model, int iteration, int epoch) {
        if (iteration == 2 * CHECKPOINT_EVERY + 1) {
          throw new IllegalStateException("simulated crash");
        }
      }
    });
    assertThrows(IllegalStateException.class, () -> trainer(crashing, open(shards, first), tmp.resolve("b")).run());

    List<String> resumedLog = new ArrayList<>();
    TrainResult resumed = trainer(ToyModels.nextToken(SEED + 99, DataType.FLOAT, 0), open(shards, resumedLog),
        tmp.resolve("b")).run();
    assertEquals(2 * CHECKPOINT_EVERY, resumed.resumedFromStep());

    int resumeBatch = 2 * CHECKPOINT_EVERY * GRAD_ACCUM;
    PackingIterator reference = PackingIterator.open(shards, packing());
    reference.seekBatch(resumeBatch);
    Checkpoint atResume = Checkpoint.read(tmp.resolve("b").resolve(String.format("step-%08d", 2 * CHECKPOINT_EVERY)));
    PackingPosition saved = PackingPosition.parse(atResume.trainerState().dataPosition().textValue());
    System.out.println("position at step " + 2 * CHECKPOINT_EVERY + ": " + saved + "; " + reference.batchesPerEpoch() + " batches per epoch, "
        + straight.size() + " batches in all");
    assertEquals(reference.position(), saved);
    assertTrue(straight.size() > reference.batchesPerEpoch(), "the run crosses an epoch boundary");
    assertEquals(straight.subList(resumeBatch, straight.size()), resumedLog);
    assertEquals(straight.subList(0, resumeBatch), first.subList(0, resumeBatch));

    Checkpoint a = Checkpoint.read(tmp.resolve("a").resolve(String.format("step-%08d", STEPS)));
    Checkpoint b = Checkpoint.read(tmp.resolve("b").resolve(String.format("step-%08d", STEPS)));
    assertEquals(a.trainerState().dataPosition(), b.trainerState().dataPosition());
    assertEquals(a.trainerState().tokensSeen(), b.trainerState().tokensSeen());
    assertEquals(a.model().keySet(), b.model().keySet());
    int values = 0;
    for (String name : a.model().keySet()) {
      assertArrayEquals(a.model().get(name).data().asFloat(), b.model().get(name).data().asFloat(), name);
      values += (int) a.model().get(name).length();
    }
    assertArrayEquals(a.optimizerState().get("updater_state").data().asFloat(),
        b.optimizerState().get("updater_state").data().asFloat());
    System.out.println("resumed run: " + resumedLog.size() + " batches as the straight run's, " + values
        + " parameters and the Adam state bitwise equal (worst difference 0)");
  }

  @Test
  void packingIteratorRunningOutOfEpochsStopsNamingTheStep(@TempDir Path tmp) throws Exception {
    Path shards = writeShards(tmp.resolve("shards"));
    PackingIterator once = PackingIterator.open(shards, PackingConfig.of(1, 64).withEpochs(1)
        .withDataType(DataType.FLOAT));
    once.setPreProcessor(oneHot(new ArrayList<>()));
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=1000", "seq_len=1", "micro_batch=64",
        "progress=never", "threads=1"));
    Trainer t = Trainer.builder(ToyModels.nextToken(SEED, DataType.FLOAT, 0), cfg)
        .train(once).build();
    String m = assertThrows(IllegalStateException.class, t::run).getMessage();
    System.out.println(m);
    assertTrue(m.contains("Training data ended at step " + once.batchesPerEpoch()) && m.contains("epochs"), m);
  }
}
