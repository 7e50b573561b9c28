package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** Presets, parameter counts, config.json, initialisation, Hugging Face round trips and DL4J serialisation. */
class ModelConfigTest {

  static ModelConfig small(Architecture a, boolean tied) {
    ModelConfig c = ModelConfig.of(a, 50, 9, 2, 2, 8).withTiedEmbeddings(tied);
    return a == Architecture.LLAMA ? c.withKvHeads(1) : c;
  }

  @Test
  void gpt2ParameterCountsMatchThePublishedModels() {
    assertEquals(124_439_808L, ModelConfig.preset("gpt2").parameterCount());
    assertEquals(354_823_168L, ModelConfig.preset("gpt2-medium").parameterCount());
  }

  @Test
  void formulaMatchesBuiltGraphs() {
    for (Architecture a : Architecture.values()) {
      for (boolean tied : new boolean[] {true, false}) {
        ModelConfig c = small(a, tied);
        ComputationGraph g = Transformers.build(c, 1);
        System.out.printf("%s tied=%s: formula %d, graph %d%n", a, tied, c.parameterCount(), g.numParams());
        assertEquals(c.parameterCount(), g.numParams());
      }
    }
    ComputationGraph tiny = Transformers.build(ModelConfig.preset("llama-tiny"), 1);
    assertEquals(ModelConfig.preset("llama-tiny").parameterCount(), tiny.numParams());
  }

  @Test
  void validationNamesTheValueAndTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.of(Architecture.GPT2, 100, 16, 2, 5, 64));
    assertTrue(e.getMessage().contains("64") && e.getMessage().contains("5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.of(Architecture.LLAMA, 100, 16, 2, 4, 64).withKvHeads(3));
    assertTrue(e.getMessage().contains("nKvHeads 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.preset("gpt3"));
    assertTrue(e.getMessage().contains("gpt2-medium"), e.getMessage());
  }

  @Test
  void qwenPresetHasQwen25HalfBillionShape() {
    ModelConfig q = ModelConfig.preset("qwen2.5-0.5b");
    // Qwen2.5-0.5B's published count. Embeddings 151,936 * 896 = 136,134,656; per block two norms 1,792,
    // q and o 2 * 896^2, k and v 2 * 896 * 128, q/k/v biases 896 + 2 * 128, SwiGLU 3 * 896 * 4,864:
    // 14,912,384, times 24; final norm 896.
    assertEquals(494_032_768L, q.parameterCount());
    assertEquals(Architecture.QWEN2, q.architecture());
    assertEquals(64, q.headSize());
    assertTrue(q.tiedEmbeddings());
  }

  @Test
  void configJsonRoundTripsAndRejectsUnknownKeys() {
    for (String name : ModelConfig.presetNames()) {
      ModelConfig c = ModelConfig.preset(name);
      assertEquals(c, ModelConfig.fromJson(c.toJson()), name);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(
        "{\"architecture\":\"gpt2\",\"vocabSize\":10,\"contextLength\":8,\"nLayers\":1,\"nHeads\":1,\"dModel\":8,"
            + "\"n_embd\":8}"));
    assertTrue(e.getMessage().contains("n_embd") && e.getMessage().contains("dModel"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson("{\"architecture\":\"gpt2\"}"));
    assertTrue(e.getMessage().contains("vocabSize"), e.getMessage());
  }

  /**
   * Head size, window and rope scaling through config.json (rope scaling as a nested object) and through
   * DL4J's JSON of the graph (the layers' bean properties), for one model of each family option.
   */
  @Test
  void familyOptionsSurviveBothJsonForms() {
    for (ModelConfig c : TinyModels.families(1)) {
      assertEquals(c, ModelConfig.fromJson(c.toJson()), c.toString());
      ComputationGraph g = Transformers.build(c, 3);
      ComputationGraph back = new ComputationGraph(ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
      back.init(g.params().dup(), false);
      INDArray ids = Nd4j.createFromArray(new int[][] {{1, 5, 2, 7, 3, 9, 4}});
      assertEquals(g.outputSingle(ids), back.outputSingle(ids), c.architecture().id());
    }
    // config.json written before these options existed reads with their defaults
    ModelConfig old = ModelConfig.fromJson("{\"architecture\":\"llama\",\"vocabSize\":10,\"contextLength\":8,"
        + "\"nLayers\":1,\"nHeads\":2,\"dModel\":8}");
    assertEquals(java.util.List.of(4, 0), java.util.List.of(old.headSize(), old.window()));
    assertEquals(dev.llmj.core.layers.RopeScaling.NONE, old.ropeScaling());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(
        "{\"architecture\":\"llama\",\"vocabSize\":10,\"contextLength\":8,\"nLayers\":1,\"nHeads\":2,"
            + "\"dModel\":8,\"ropeScaling\":{\"type\":\"yarn\"}}"));
    assertTrue(e.getMessage().contains("'ropeScaling'") && e.getMessage().contains("yarn"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(Architecture.LLAMA, 10, 8, 1, 2, 8)
        .withWindow(4));
    assertTrue(e.getMessage().contains("mistral"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(Architecture.GPT2, 10, 8, 1, 2, 8)
        .withHeadSize(6));
    assertTrue(e.getMessage().contains("headSize must be 4"), e.getMessage());
  }

  @Test
  void initialisationIsSeededAndFollowsGpt2() {
    ModelConfig c = ModelConfig.of(Architecture.GPT2, 64, 16, 4, 2, 64);
    ComputationGraph a = Transformers.build(c, 7);
    ComputationGraph b = Transformers.build(c, 7);
    ComputationGraph other = Transformers.build(c, 8);
    assertEquals(a.params(), b.params());
    assertNotEquals(a.params(), other.params());
    double wq = a.getLayer("block0").getParam("wq").stdNumber().doubleValue();
    double wo = a.getLayer("block1").getParam("wo").stdNumber().doubleValue();
    double wdown = a.getLayer("block2").getParam("wdown").stdNumber().doubleValue();
    double residual = 0.02 / Math.sqrt(2 * 4);
    System.out.printf("init std: wq %.5f (want 0.02), wo %.5f and wdown %.5f (want %.5f)%n", wq, wo, wdown, residual);
    assertEquals(0.02, wq, 0.002);
    assertEquals(residual, wo, residual * 0.1);
    assertEquals(residual, wdown, residual * 0.1);
    assertEquals(0.0, a.getLayer("block0").getParam("bq").amaxNumber().doubleValue());
    assertEquals(1.0, a.getLayer("block3").getParam("norm2gain").minNumber().doubleValue());
    assertEquals(1.0, a.getLayer("head").getParam("normfgain").maxNumber().doubleValue());
  }

  @Test
  void huggingFaceRoundTripIsExact() {
    for (Architecture arch : Architecture.values()) {
      for (boolean tied : new boolean[] {true, false}) {
        ModelConfig c = small(arch, tied);
        ComputationGraph g = Transformers.build(c, 3);
        g.params().assign(Nd4j.rand(DataType.FLOAT, g.params().shape())); // every entry distinct
        Map<String, INDArray> hf = HuggingFace.toHuggingFace(g, c);
        ComputationGraph back = HuggingFace.fromHuggingFace(hf, c);
        assertEquals(g.params(), back.params(), arch + " tied=" + tied);
        assertEquals(tied, !hf.containsKey("lm_head.weight"));
      }
    }
    ModelConfig gpt = small(Architecture.GPT2, true);
    Map<String, INDArray> hf = HuggingFace.toHuggingFace(Transformers.build(gpt, 3), gpt);
    assertEquals(java.util.List.of(8L, 24L), java.util.Arrays.stream(hf.get("transformer.h.0.attn.c_attn.weight").shape())
        .boxed().toList());
    ModelConfig llama = small(Architecture.LLAMA, false);
    Map<String, INDArray> lh = HuggingFace.toHuggingFace(Transformers.build(llama, 3), llama);
    assertEquals(java.util.List.of(4L, 8L), java.util.Arrays.stream(lh.get("model.layers.1.self_attn.k_proj.weight")
        .shape()).boxed().toList());
    lh.put("model.layers.9.mlp.up_proj.weight", Nd4j.zeros(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HuggingFace.fromHuggingFace(lh, llama));
    assertTrue(e.getMessage().contains("model.layers.9.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void graphSurvivesJsonAndModelSerializerWithTheTieIntact() throws Exception {
    ModelConfig c = small(Architecture.GPT2, true);
    ComputationGraph g = Transformers.build(c, 5, DataType.FLOAT, new Adam(1e-2));
    INDArray ids = Nd4j.createFromArray(new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}});
    INDArray next = Nd4j.createFromArray(new int[][] {{2, 3, 4, 5, 6, 7}, {8, 9, 10, 11, 12, -1}});
    MultiDataSet data = new MultiDataSet(ids, next);
    double before = g.score(data, false);
    for (int i = 0; i < 5; i++) {
      g.fit(data);
    }
    double after = g.score(data, false);
    System.out.printf("5 Adam steps on one batch: loss %.4f -> %.4f%n", before, after);
    assertTrue(after < before - 0.1, "training should lower the loss: " + before + " -> " + after);

    ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
    ComputationGraph fromJson = new ComputationGraph(conf);
    fromJson.init(g.params().dup(), false);
    assertEquals(g.outputSingle(ids), fromJson.outputSingle(ids));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(g, bytes, true);
    ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
    assertEquals(g.outputSingle(ids), restored.outputSingle(ids));
    assertEquals(c.parameterCount(), restored.numParams());
    restored.fit(data);
    g.fit(data);
    assertEquals(g.params(), restored.params(), "same step after restore, updater state included");
  }
}
