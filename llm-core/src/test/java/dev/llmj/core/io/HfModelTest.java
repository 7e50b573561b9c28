package dev.llmj.core.io;

import static dev.llmj.core.io.TestModels.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HfModelTest {
  @TempDir Path dir;

  @Test
  void exportThenImportIsExactForGpt2AndLlama() throws IOException {
    System.out.println("seed " + TestModels.SEED + " (reproduce with -Dtests.seed=" + TestModels.SEED + ")");
    for (HfConfig config : List.<HfConfig>of(TestModels.tinyGpt2(3), TestModels.tinyLlama(2))) {
      HfModel model = new HfModel(config, TestModels.random(config, TestModels.SEED));
      Path single = dir.resolve(config.modelType() + "-single");
      model.save(single);
      assertTrue(Files.exists(single.resolve("model.safetensors")));
      HfModel back = HfModel.load(single);
      assertEquals(config, back.config());
      TestModels.assertExactlyEqual(model.tensors(), back.tensors());

      Path sharded = dir.resolve(config.modelType() + "-sharded");
      model.save(sharded, SafetensorsDType.F32, 300);
      assertFalse(Files.exists(sharded.resolve("model.safetensors")));
      try (var s = Files.list(sharded)) {
        long shards = s.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
        assertTrue(shards > 2, "expected several shards, got " + shards);
        System.out.println(config.modelType() + ": " + model.tensors().size() + " tensors, " + shards
            + " shards, worst difference " + TestModels.assertExactlyEqual(model.tensors(), HfModel.load(sharded).tensors()));
      }
      // Re-exporting unsharded into the same folder must not leave the old index behind.
      model.save(sharded);
      assertFalse(Files.exists(sharded.resolve("model.safetensors.index.json")));
      TestModels.assertExactlyEqual(model.tensors(), HfModel.load(sharded).tensors());
    }
  }

  @Test
  void bf16ExportRoundsToNearestEven() throws IOException {
    HfConfig config = TestModels.tinyLlama(1);
    HfModel model = new HfModel(config, TestModels.random(config, TestModels.SEED));
    model.save(dir, SafetensorsDType.BF16, HfModel.DEFAULT_MAX_SHARD_BYTES);
    HfModel back = HfModel.load(dir);
    double worst = 0;
    for (Map.Entry<String, INDArray> e : model.tensors().entrySet()) {
      float[] x = e.getValue().reshape(e.getValue().length()).toFloatVector();
      float[] y = back.tensors().get(e.getKey()).reshape(x.length).toFloatVector();
      for (int i = 0; i < x.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x[i])), y[i]);
        worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.abs(x[i]));
      }
    }
    assertTrue(worst <= 1.0 / 256, "bf16 relative error " + worst);
    System.out.println("bf16 export: worst relative difference " + worst + " (bound 2^-8)");
  }

  @Test
  void acceptsTransformerPrefixAndSkipsMaskBuffers() throws IOException {
    HfConfig config = TestModels.tinyGpt2(2);
    Map<String, INDArray> canonical = TestModels.random(config, TestModels.SEED);
    Map<String, INDArray> stored = new LinkedHashMap<>();
    canonical.forEach((k, v) -> stored.put("transformer." + k, v));
    stored.put("transformer.h.0.attn.bias", Nd4j.ones(1, 1, 8, 8));
    stored.put("h.1.attn.masked_bias", Nd4j.scalar(-1e4f));
    Files.writeString(dir.resolve("config.json"), config.toJson().toString());
    Safetensors.write(dir.resolve("model.safetensors"), stored, Map.of("format", "pt"));
    try (HfModelFolder folder = HfModelFolder.open(dir)) {
      assertEquals(List.copyOf(canonical.keySet()), List.copyOf(folder.names()));
      assertEquals("transformer.wte.weight", folder.info("wte.weight").name());
      TestModels.assertExactlyEqual(canonical, folder.loadAll());
    }
    stored.put("wte.weight", canonical.get("wte.weight"));
    Safetensors.write(dir.resolve("model.safetensors"), stored, Map.of("format", "pt"));
    assertThrowsWith(IllegalArgumentException.class, () -> HfModelFolder.open(dir),
        "tensor 'wte.weight' duplicates 'transformer.wte.weight'");
  }

  @Test
  void nameCheckNamesMissingExtraAndMisshapenTensors() {
    HfConfig.Gpt2 config = TestModels.tinyGpt2(2);
    Map<String, INDArray> m = new LinkedHashMap<>(TestModels.random(config, TestModels.SEED));
    m.remove("h.1.mlp.c_fc.bias");
    m.put("h.2.ln_1.weight", Nd4j.ones(4));
    m.put("wpe.weight", Nd4j.ones(9, 4));
    assertThrowsWith(IllegalArgumentException.class, () -> new HfModel(config, m),
        "missing 'h.1.mlp.c_fc.bias' [16]", "unexpected 'h.2.ln_1.weight' (layer 2 but the config has 2",
        "'wpe.weight' has shape [9, 4], expected [8, 4]", "3 problems");
    // A tied head may be present or absent; an untied one is required.
    Map<String, INDArray> withHead = new LinkedHashMap<>(TestModels.random(config, TestModels.SEED));
    withHead.put("lm_head.weight", Nd4j.ones(11, 4));
    new HfModel(config, withHead);
    HfConfig.Llama llama = TestModels.tinyLlama(1);
    Map<String, INDArray> noHead = new LinkedHashMap<>(TestModels.random(llama, TestModels.SEED));
    noHead.remove("lm_head.weight");
    assertThrowsWith(IllegalArgumentException.class, () -> new HfModel(llama, noHead), "missing 'lm_head.weight' [13, 8]");
  }

  private Path shardedFolder() throws IOException {
    HfConfig config = TestModels.tinyGpt2(2);
    Path folder = dir.resolve("sharded");
    new HfModel(config, TestModels.random(config, TestModels.SEED)).save(folder, SafetensorsDType.F32, 400);
    return folder;
  }

  private static void rewriteIndex(Path folder, String from, String to) throws IOException {
    Path index = folder.resolve("model.safetensors.index.json");
    String text = Files.readString(index);
    assertTrue(text.contains(from), text);
    Files.writeString(index, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
  }

  private static String shardOf(Path folder, String tensor) throws IOException {
    return Json.STRICT.readTree(folder.resolve("model.safetensors.index.json").toFile()).get("weight_map").get(tensor).textValue();
  }

  /** Edits a fresh sharded export's index (FIRST_SHARD stands for the shard holding wte.weight) and expects an error. */
  private void expectIndexError(String from, String to, String... fragments) throws IOException {
    Path folder = shardedFolder();
    rewriteIndex(folder, from, to.replace("FIRST_SHARD", shardOf(folder, "wte.weight")));
    assertThrowsWith(IllegalArgumentException.class, () -> HfModelFolder.open(folder), fragments);
    AtomicFiles.deleteTree(folder);
  }

  @Test
  void rejectsUnsafeOrInconsistentShardIndex() throws IOException {
    String wpe = "\"wpe.weight\" : \"model-00001-of";
    expectIndexError(wpe, "\"wpe.weight\" : \"../model-00001-of", "weight_map['wpe.weight']",
        "must be a relative file name inside the model folder");
    expectIndexError(wpe, "\"wpe.weight\" : \"/tmp/model-00001-of", "no absolute path");
    expectIndexError(wpe, "\"wpe.weight\" : \"model-00009-of", "names shard 'model-00009-of", "does not exist");
    expectIndexError(wpe, "\"wpe.weight\" : \"model-00002-of", "tensor 'wpe.weight' is stored in model-00001-of");
    String map = "\"weight_map\" : {";
    expectIndexError(map, map + " \"wte.weight\" : \"FIRST_SHARD\",", "not valid JSON", "Duplicate field 'wte.weight'");
    expectIndexError(map, map + " \"ghost.weight\" : \"FIRST_SHARD\",", "lists 'ghost.weight'", "does not contain it");
  }

  @Test
  void rejectsFolderWithoutWeights() throws IOException {
    Files.writeString(dir.resolve("config.json"), TestModels.tinyGpt2(1).toJson().toString());
    assertThrowsWith(IllegalArgumentException.class, () -> HfModelFolder.open(dir), "neither model.safetensors");
    assertThrowsWith(IllegalArgumentException.class, () -> HfModelFolder.open(dir.resolve("nope")), "no config.json");
  }
}
