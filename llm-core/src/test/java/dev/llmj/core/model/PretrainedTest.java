package dev.llmj.core.model;

import static dev.llmj.core.model.TinyModels.SEED;
import static dev.llmj.core.model.TinyModels.assertSameModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.HfConfig;
import dev.llmj.core.io.SafetensorsDType;
import dev.llmj.core.io.TrainerState;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import dev.llmj.data.shard.ShardWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** LanguageModel.load / save / exportHuggingFace: exact round trips, run folders, and clear refusals. */
class PretrainedTest {

  @TempDir Path dir;

  @Test
  void configsMapToHuggingFaceAndBackExactly() {
    for (ModelConfig c : TinyModels.all(3)) {
      HfConfig hf = c.toHuggingFace();
      // Through the JSON text too, as a file would carry it.
      HfConfig parsed = HfConfig.parse(hf.toJson(), "export");
      assertEquals(c, ModelConfig.fromHuggingFace(hf));
      assertEquals(c, ModelConfig.fromHuggingFace(parsed));
    }
    HfConfig.Gpt2 gpt2 = (HfConfig.Gpt2) ModelConfig.preset("gpt2").toHuggingFace();
    assertEquals(List.of(50257, 1024, 768, 12, 12, 3072), List.of(gpt2.vocabSize(), gpt2.nPositions(), gpt2.nEmbd(),
        gpt2.nLayer(), gpt2.nHead(), gpt2.nInner()));
    HfConfig.Llama llama = (HfConfig.Llama) ModelConfig.preset("llama-small").toHuggingFace();
    assertEquals(List.of(256, 4, 2, 64, 256), List.of(llama.hiddenSize(), llama.numAttentionHeads(),
        llama.numKeyValueHeads(), llama.headDim(), llama.maxPositionEmbeddings()));
    // Hugging Face's published GPT-2 config (keys as in gpt2/config.json) maps to the gpt2 preset, but for dropout.
    ObjectNode published = HfConfig.Gpt2.of(50257, 1024, 768, 12, 12).toJson();
    published.put("resid_pdrop", 0.1).put("embd_pdrop", 0.1).put("attn_pdrop", 0.1).put("initializer_range", 0.02);
    assertEquals(ModelConfig.preset("gpt2").withDropout(0.1),
        ModelConfig.fromHuggingFace(HfConfig.parse(published, "gpt2/config.json")));
  }

  @Test
  void variantsThisLibraryDoesNotComputeAreRefusedByKey() {
    ObjectNode erf = HfConfig.Gpt2.of(11, 8, 4, 1, 2).toJson().put("activation_function", "gelu");
    rejects(UnsupportedOperationException.class, () -> ModelConfig.fromHuggingFace(HfConfig.parse(erf, "a")),
        "activation_function", "gelu_new");
    ObjectNode biased = HfConfig.Llama.of(11, 8, 16, 1, 2, 2).toJson().put("attention_bias", true);
    rejects(UnsupportedOperationException.class, () -> ModelConfig.fromHuggingFace(HfConfig.parse(biased, "b")),
        "attention_bias");
    ObjectNode scaled = HfConfig.Llama.of(11, 8, 16, 1, 2, 2).toJson();
    scaled.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0);
    rejects(UnsupportedOperationException.class, () -> ModelConfig.fromHuggingFace(HfConfig.parse(scaled, "c")),
        "rope_scaling", "llama3");
  }

  @Test
  void huggingFaceExportThenLoadIsTheSameModel() throws Exception {
    int i = 0;
    for (ModelConfig c : TinyModels.all(2)) {
      LanguageModel m = LanguageModel.create(c, SEED + i);
      Path out = dir.resolve("hf-" + i++);
      m.exportHuggingFace(out);
      assertTrue(Files.isRegularFile(out.resolve("config.json")) && Files.isRegularFile(out.resolve("model.safetensors")));
      LanguageModel back = LanguageModel.load(out);
      assertSameModel(m, back, c.architecture().id() + " tied=" + c.tiedEmbeddings() + " HF round trip");
      int[] ids = TinyModels.cycle(5, 0, 12);
      assertEquals(m.loss(ids), back.loss(ids), 0.0);
    }
  }

  @Test
  void halfPrecisionExportsLoadWithinRounding() throws Exception {
    LanguageModel m = LanguageModel.create(TinyModels.llama(2, false), SEED);
    int[] ids = TinyModels.cycle(5, 1, 20);
    for (SafetensorsDType type : List.of(SafetensorsDType.F16, SafetensorsDType.BF16)) {
      Path out = dir.resolve(type.name());
      m.exportHuggingFace(out, type);
      double exact = m.loss(ids);
      double half = LanguageModel.load(out).loss(ids);
      System.out.printf("%s export: loss %.6f vs %.6f in float32 (difference %.2g)%n", type, half, exact, half - exact);
      assertEquals(exact, half, 0.01);
    }
  }

  @Test
  void savedCheckpointLoadsExactly() throws Exception {
    for (ModelConfig c : List.of(TinyModels.gpt2(2, false), TinyModels.llama(2, true))) {
      LanguageModel m = LanguageModel.create(c, SEED);
      Path out = dir.resolve("ckpt-" + c.architecture().id());
      m.save(out);
      assertTrue(Checkpoint.isCheckpoint(out));
      assertSameModel(m, LanguageModel.load(out), c.architecture().id() + " checkpoint round trip");
    }
  }

  /** B×T packed tokens per step, and the run's newest checkpoint is the trained model. */
  @Test
  void runFolderLoadsItsNewestCheckpointAndCountsPackedTokens() throws Exception {
    Path shards = dir.resolve("shards");
    try (ShardWriter w = ShardWriter.create(shards, ShardWriter.Config.of(TinyModels.VOCAB, TinyModels.VOCAB - 1))) {
      for (int d = 0; d < 12; d++) {
        w.writeDocument(TinyModels.cycle(5, d, 30));
      }
      w.finish();
    }
    int b = 2;
    int t = 8;
    PackingIterator data = PackingIterator.open(shards, PackingConfig.of(t, b).withEpochs(10));
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=3", "seq_len=" + t, "micro_batch=" + b,
        "warmup_steps=1", "checkpoint_every=2", "progress=never", "threads=1"));
    LanguageModel m = LanguageModel.create(TinyModels.gpt2(1, true), SEED);
    Path run = dir.resolve("run");
    TrainResult r = m.trainer(cfg).train(data).checkpoints(run.resolve("checkpoints"))
        .build().run();
    System.out.println("3 steps of " + b + "x" + t + " packed ids: " + r.tokens() + " tokens counted");
    assertEquals(3L * b * t, r.tokens());
    assertSameModel(m, LanguageModel.load(run), "run folder -> newest checkpoint");
    assertSameModel(m, LanguageModel.load(run.resolve("checkpoints")), "checkpoints folder -> newest checkpoint");
    assertSameModel(m, LanguageModel.load(run.resolve("checkpoints/step-00000003")), "step folder");
    assertEquals(2 * b * t, Checkpoint.readTrainerState(run.resolve("checkpoints/step-00000002")).tokensSeen());
  }

  @Test
  void checkpointWithoutAModelConfigIsRefusedWithTheFix() throws Exception {
    LanguageModel m = LanguageModel.create(TinyModels.gpt2(1, true), SEED);
    Path shards = dir.resolve("shards");
    try (ShardWriter w = ShardWriter.create(shards, ShardWriter.Config.of(TinyModels.VOCAB, 0))) {
      w.writeDocument(TinyModels.cycle(5, 0, 40));
      w.finish();
    }
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("max_steps=1", "seq_len=4", "micro_batch=2",
        "warmup_steps=0", "progress=never", "threads=1"));
    Trainer.builder(m.graph(), cfg).train(PackingIterator.open(shards,
        PackingConfig.of(4, 2))).checkpoints(dir.resolve("bare")).build().run();
    rejects(IllegalArgumentException.class, () -> LanguageModel.load(dir.resolve("bare")),
        "DL4J graph configuration, not a ModelConfig", "LanguageModel.trainer");

    Path odd = dir.resolve("odd");
    new Checkpoint(Checkpoint.json("{\"architecture\":\"gpt2\",\"layers\":2}"), m.graph().paramTable(), null, null,
        new TrainerState(0, 0)).write(odd);
    rejects(IllegalArgumentException.class, () -> LanguageModel.load(odd), "config.json", "unknown key 'layers'",
        "must be a ModelConfig");
  }

  @Test
  void foldersOfNoKnownKindAreRefused() throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    rejects(IllegalArgumentException.class, () -> LanguageModel.load(dir.resolve("empty")), "no config.json",
        "step-NNNNNNNN");
    rejects(IllegalArgumentException.class, () -> LanguageModel.load(dir.resolve("missing")), "not a folder");
    Path half = dir.resolve("run/step-00000004");
    Files.createDirectories(half);
    rejects(IllegalArgumentException.class, () -> LanguageModel.load(half), "COMPLETE");
    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("config.json"), "{\"model_type\":\"bert\"}");
    rejects(UnsupportedOperationException.class, () -> LanguageModel.load(foreign), "bert", "gpt2, llama");
  }

  static <T extends Throwable> void rejects(Class<T> type, Executable action, String... fragments) {
    T e = assertThrows(type, action);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }
    System.out.println("rejected: " + e.getMessage());
  }
}
