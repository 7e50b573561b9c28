package dev.llmj.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.io.HfConfig;
import dev.llmj.core.layers.RopeScaling;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Hugging Face config.json keys of the rotary families: what each maps to, every key that changes the
 * computation in a way this library does not implement refused with key and value, and the keys that
 * change nothing listed as ignored.
 */
class FamilyConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The config.json of a golden folder (the keys a real checkpoint carries), changed by {@code edit}. */
  static ObjectNode config(String family, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(Files.readString(FamilyGoldenTest.folder(family).resolve("config.json")));
    edit.accept(c);
    return c;
  }

  static ModelConfig map(JsonNode json) {
    return ModelConfig.fromHuggingFace(HfConfig.parse(json, "config.json"));
  }

  static void refused(JsonNode json, String... fragments) {
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> map(json));
    System.out.println("refused: " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
    }
  }

  @Test
  void familyKeysMapToTheBlockOptions() throws IOException {
    ModelConfig llama3 = map(config("llama3-tied", c -> {}));
    assertEquals(Architecture.LLAMA, llama3.architecture());
    assertEquals(RopeScaling.llama3(8, 1, 4, 64), llama3.ropeScaling());
    assertTrue(llama3.tiedEmbeddings());
    assertEquals(RopeScaling.linear(2), map(config("llama-linear", c -> {})).ropeScaling());
    assertEquals(4, map(config("mistral", c -> {})).window());
    // Hugging Face's MistralConfig defaults to a window of 4096 when the key is absent; null means none
    assertEquals(4096, map(config("mistral", c -> c.remove("sliding_window"))).window());
    assertEquals(0, map(config("mistral", c -> c.putNull("sliding_window"))).window());
    ModelConfig qwen3 = map(config("qwen3", c -> {}));
    assertEquals(List.of(12, 32, 4), List.of(qwen3.headSize(), qwen3.dModel(), qwen3.nHeads()));
    ModelConfig gemma = map(config("gemma", c -> {}));
    assertEquals(List.of(12, 1, 1e-6), List.of(gemma.headSize(), gemma.nKvHeads(), gemma.normEps()));
    // Gemma's first configs say "gelu" and mean the tanh GELU, as Hugging Face reads them
    assertEquals(gemma, map(config("gemma", c -> c.put("hidden_act", "gelu"))));
  }

  @Test
  void keysThatChangeTheComputationAreRefusedByKeyAndValue() throws IOException {
    refused(config("llama-linear", c -> c.put("attention_bias", true)), "'attention_bias' = true");
    refused(config("llama-linear", c -> c.put("mlp_bias", true)), "'mlp_bias' = true");
    refused(config("llama-linear", c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4)),
        "'rope_scaling'", "yarn", "linear", "llama3");
    refused(config("llama-linear", c -> c.putObject("rope_scaling").put("type", "dynamic").put("factor", 2)),
        "'rope_scaling'", "dynamic");
    refused(config("llama3-tied", c -> ((ObjectNode) c.get("rope_scaling")).put("attention_factor", 1.5)),
        "'rope_scaling'", "attention_factor");
    refused(config("llama3-tied", c -> ((ObjectNode) c.get("rope_scaling")).remove("low_freq_factor")),
        "'rope_scaling'", "low_freq_factor");
    refused(config("qwen2", c -> c.put("use_sliding_window", true)), "'use_sliding_window' = true");
    refused(config("qwen3", c -> c.put("attention_dropout", 0.1)), "'attention_dropout' = 0.1");
    refused(config("qwen3", c -> c.put("hidden_act", "gelu")), "'hidden_act' = gelu", "silu");
    refused(config("qwen3", c -> c.putArray("layer_types").add("full_attention").add("sliding_attention")),
        "'layer_types'", "sliding_attention");
    refused(config("mistral", c -> c.put("partial_rotary_factor", 0.5)), "'partial_rotary_factor' = 0.5");
    refused(config("gemma", c -> c.put("attn_logit_softcapping", 50.0)), "'attn_logit_softcapping' = 50.0");
    refused(config("gemma", c -> c.put("final_logit_softcapping", 30.0)), "'final_logit_softcapping' = 30.0");
    refused(config("gemma", c -> c.put("query_pre_attn_scalar", 256)), "'query_pre_attn_scalar' = 256");
    refused(config("gemma", c -> c.put("hidden_activation", "gelu")), "'hidden_activation' = \"gelu\"");
    UnsupportedOperationException gemma2 = assertThrows(UnsupportedOperationException.class,
        () -> HfConfig.parse(config("gemma", c -> c.put("model_type", "gemma2")), "config.json"));
    assertTrue(gemma2.getMessage().contains("model_type 'gemma2'") && gemma2.getMessage().contains("soft-capping"),
        gemma2.getMessage());
  }

  @Test
  void keysThatChangeNothingAreListedAsIgnored() throws IOException {
    List<String> ignored = HfConfigs.ignoredKeys(HfConfig.parse(config("qwen2", c -> {}), "config.json"));
    System.out.println("qwen2 ignored: " + ignored);
    assertEquals(List.of("architectures", "bos_token_id", "eos_token_id", "torch_dtype", "transformers_version",
        "use_cache", "sliding_window", "max_window_layers"), ignored);
    List<String> gemma = HfConfigs.ignoredKeys(HfConfig.parse(config("gemma", c -> {}), "config.json"));
    assertTrue(gemma.contains("pad_token_id") && !gemma.contains("hidden_activation"), gemma.toString());
  }
}
