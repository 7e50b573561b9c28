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
    System.out.println(type.getMessage());
    assertTrue(type.getMessage().contains("key 'grad_accum' must be a 32-bit integer, got \"two\""), type.getMessage());
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

  @Test
  void typedWithersEqualKeyValueOverrides() {
    TrainConfig typed = TrainConfig.defaults().withLearningRate(3e-3).withMinLearningRate(3e-4).withWarmupSteps(5)
        .withDecay(TrainConfig.Decay.LINEAR).withMaxTokens(20_000).withMicroBatch(4).withSeqLen(64).withGradAccum(2)
        .withWeightDecay(0.05).withBeta1(0.8).withBeta2(0.99).withEps(1e-6).withClip(0.5).withEvalEvery(7)
        .withEvalBatches(3).withCheckpointEvery(11).withKeepLast(2).withKeepBest(false).withSeed(9).withThreads(1)
        .withSkipNonfinite(true).withLogEvery(4).withProgress(TrainConfig.Progress.NEVER).withPeakFlops(1e12)
        .withRecompute(true);
    TrainConfig overrides = TrainConfig.defaults().withOverrides(List.of("lr=3e-3", "min_lr=3e-4", "warmup_steps=5",
        "decay=linear", "max_steps=0", "max_tokens=20000", "micro_batch=4", "seq_len=64", "grad_accum=2",
        "weight_decay=0.05", "beta1=0.8", "beta2=0.99", "eps=1e-6", "clip=0.5", "eval_every=7", "eval_batches=3",
        "checkpoint_every=11", "keep_last=2", "keep_best=false", "seed=9", "threads=1", "skip_nonfinite=true",
        "log_every=4", "progress=never", "peak_flops=1e12", "recompute=true"));
    assertEquals(overrides, typed);
    // the record's own constructor, no JSON in between
    assertEquals(new TrainConfig(3e-3, 3e-4, 5, TrainConfig.Decay.LINEAR, 0, 20_000, 4, 64, 2, 0.05, 0.8, 0.99, 1e-6,
        0.5, 7, 3, 11, 2, false, 9, 1, true, 4, TrainConfig.Progress.NEVER, 1e12, true), typed);
    // the step budget replaces the token budget and back
    assertEquals(100, typed.withMaxSteps(100).maxSteps());
    assertEquals(0, typed.withMaxSteps(100).maxTokens());
    assertEquals(0, typed.withMaxSteps(100).withMaxTokens(5).maxSteps());
    long withers = java.util.Arrays.stream(TrainConfig.class.getMethods())
        .filter(m -> m.getName().startsWith("with") && m.getReturnType() == TrainConfig.class
            && m.getParameterCount() == 1 && !m.getName().equals("withOverrides"))
        .count();
    assertEquals(TrainConfig.keys().size(), withers, "one typed wither per setting");
  }

  @Test
  void withersValidateLikeJson() {
    var e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withBeta2(1.5));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("withBeta2(1.5)") && e.getMessage().contains("beta2=1.5")
        && e.getMessage().contains("0.95"), e.getMessage());
    var minLr = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withLearningRate(1e-6));
    assertTrue(minLr.getMessage().contains("min_lr"), minLr.getMessage());
    var nul = assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults().withDecay(null));
    assertTrue(nul.getMessage().contains("decay must not be null"), nul.getMessage());
  }
}
