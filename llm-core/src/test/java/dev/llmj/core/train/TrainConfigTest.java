package dev.llmj.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {

  @Test
  void jsonFileRoundTripKeepsEveryValue(@TempDir Path dir) throws Exception {
    TrainConfig cfg = TrainConfig.defaults().withOverrides(List.of("lr=3e-4", "decay=linear", "max_steps=0",
        "max_tokens=2e9", "skip_nonfinite=true", "progress=never", "seed=42"));
    Path file = dir.resolve("train.json");
    cfg.write(file);
    TrainConfig back = TrainConfig.read(file);
    System.out.println(Files.readString(file));
    assertEquals(cfg, back);
    assertEquals(3e-4, back.lr());
    assertEquals(TrainConfig.Decay.LINEAR, back.decay());
    assertEquals(2_000_000_000L, back.maxTokens());
    List<String> written = new java.util.ArrayList<>();
    new ObjectMapper().readTree(file.toFile()).fieldNames().forEachRemaining(written::add);
    assertEquals(TrainConfig.keys(), written);
  }

  @Test
  void missingKeysKeepDefaults() {
    TrainConfig cfg = TrainConfig.fromJson(new ObjectMapper().createObjectNode().put("grad_accum", 4), "x.json");
    assertEquals(4, cfg.gradAccum());
    assertEquals(TrainConfig.defaults().lr(), cfg.lr());
    assertEquals(8L * 256 * 4, cfg.tokensPerStep());
  }

  @Test
  void unknownKeyListsValidKeys() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().withOverrides(List.of("learning_rate=1e-3")));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'learning_rate'"), e.getMessage());
    assertTrue(e.getMessage().contains("min_lr") && e.getMessage().contains("grad_accum"), e.getMessage());
  }

  @Test
  void badValuesNameValueLimitAndFix() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().withOverrides(List.of("beta2=1.5")));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("beta2=1.5") && e.getMessage().contains("[0, 1)")
        && e.getMessage().contains("0.95"), e.getMessage());
    var both = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().withOverrides(List.of("max_tokens=1000")));
    assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
    var type = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().withOverrides(List.of("grad_accum=two")));
    assertTrue(type.getMessage().contains("'grad_accum' has value 'two'"), type.getMessage());
    var enumValue = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.defaults().withOverrides(List.of("decay=step")));
    assertTrue(enumValue.getMessage().contains("[cosine, linear, constant]"), enumValue.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withOverrides(List.of("lr")));
  }

  @Test
  void tokenBudgetRoundsUpToWholeSteps() {
    TrainConfig cfg = TrainConfig.defaults().withOverrides(
        List.of("max_steps=0", "max_tokens=10000", "micro_batch=2", "seq_len=100", "grad_accum=3"));
    assertEquals(600, cfg.tokensPerStep());
    assertEquals(17, cfg.totalSteps()); // ceil(10000 / 600)
  }
}
