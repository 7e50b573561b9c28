package dev.llmj.core.io;

import static dev.llmj.core.io.TestModels.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
  @TempDir Path dir;

  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream(name)) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void parsesGpt2ConfigAsPublishedByHuggingFace() throws IOException {
    HfConfig c = HfConfig.read(resource("gpt2-config.json"));
    HfConfig.Gpt2 g = (HfConfig.Gpt2) c;
    assertEquals(new HfConfig.Gpt2(50257, 1024, 768, 12, 12, 3072, 1e-5, "gelu_new", true, g.extra()), g);
    assertEquals(50256, g.extra().get("bos_token_id").intValue());
    assertFalse(g.extra().has("n_layer"), "typed keys are not duplicated in extra");
    assertEquals(2 + 12 * 12 + 2, HfTensorNames.expected(g).size(), "GPT-2 small has 148 parameter tensors");
    assertEquals(c, HfConfig.parse(c.toJson(), "round trip"));
    assertEquals(24, ((HfConfig.Gpt2) c.withNumLayers(24)).nLayer());
  }

  @Test
  void parsesLlamaConfigWithGroupedQueryAttention() throws IOException {
    HfConfig.Llama l = (HfConfig.Llama) HfConfig.read(resource("llama-config.json"));
    assertEquals(new HfConfig.Llama(32000, 2048, 5632, 22, 32, 4, 64, 1e-5, 10000.0, 2048, false, false, false,
        "silu", l.extra()), l);
    assertTrue(l.extra().has("rope_scaling"), "null-valued keys are kept for export");
    Map<String, long[]> expected = HfTensorNames.expected(l);
    assertEquals(1 + 22 * 9 + 1 + 1, expected.size());
    assertEquals(256, expected.get("model.layers.0.self_attn.k_proj.weight")[0], "4 KV heads x 64");
    assertEquals(l, HfConfig.parse(l.toJson(), "round trip"));
  }

  @Test
  void rejectsBadConfigsNamingTheKey() {
    ObjectNode base = TestModels.tinyGpt2(2).toJson();
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().without("n_embd"), "cfg.json"), "cfg.json", "missing required key 'n_embd'");
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().put("n_layer", "two"), "cfg.json"), "cfg.json", "'n_layer' must be a 32-bit integer");
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().put("n_head", 3), "cfg.json"), "cfg.json", "n_embd 4 must be divisible by n_head 3");
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().put("n_layer", 0), "cfg.json"), "n_layer must be positive, got 0");
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().put("tie_word_embeddings", 1), "cfg.json"), "'tie_word_embeddings' must be true or false");
    assertThrowsWith(UnsupportedOperationException.class,
        () -> HfConfig.parse(base.deepCopy().put("model_type", "mixtral"), "cfg.json"), "model_type 'mixtral'",
        "gpt2, llama, mistral, qwen2, qwen3, gemma");
    assertThrowsWith(UnsupportedOperationException.class,
        () -> HfConfig.parse(base.deepCopy().put("model_type", "gemma2"), "cfg.json"), "model_type 'gemma2'",
        "soft-capping");
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(base.deepCopy().without("model_type"), "cfg.json"), "missing 'model_type'");
    ObjectNode llama = TestModels.tinyLlama(1).toJson();
    assertThrowsWith(IllegalArgumentException.class,
        () -> HfConfig.parse(llama.deepCopy().put("num_key_value_heads", 3), "cfg.json"),
        "num_attention_heads 4 must be a multiple of num_key_value_heads 3");
  }

  @Test
  void rejectsInvalidJsonWithFileName() throws IOException {
    Path p = dir.resolve("config.json");
    Files.writeString(p, "{\"model_type\": \"gpt2\",}");
    assertThrowsWith(IllegalArgumentException.class, () -> HfConfig.read(p), p.toString(), "not valid JSON");
  }
}
