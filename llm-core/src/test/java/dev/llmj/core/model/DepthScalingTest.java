package dev.llmj.core.model;

import static dev.llmj.core.model.TinyModels.SEED;
import static dev.llmj.core.model.TinyModels.assertSameModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Depth up-scaling and layer selection on whole models. */
class DepthScalingTest {

  @Test
  void selectingEveryLayerInOrderIsTheIdentity() {
    for (ModelConfig c : TinyModels.all(3)) {
      LanguageModel m = LanguageModel.create(c, SEED);
      assertSameModel(m, m.selectLayers(0, 1, 2), c.architecture().id() + " selectLayers(0, 1, 2)");
      // Dropping 1 of 3 layers from each copy gives layers 0,1 | 1,2; positions 0,1,3 are the base again.
      LanguageModel up = m.upscale(1);
      assertEquals(4, up.config().nLayers());
      assertEquals(c.withLayers(4).parameterCount(), up.graph().numParams());
      assertSameModel(m, up.selectLayers(0, 1, 3), c.architecture().id() + " upscale(1) then layers 0, 1, 3");
      assertSameModel(m.removeLayers(0), up.selectLayers(2, 3), c.architecture().id() + " second copy's layers");
      assertSameModel(m.removeLayers(2), up.selectLayers(0, 1), c.architecture().id() + " first copy's layers");
    }
  }

  @Test
  void repeatedLayersAreIndependentCopies() {
    LanguageModel m = LanguageModel.create(TinyModels.llama(2, false), SEED);
    LanguageModel twice = m.selectLayers(1, 1);
    twice.graph().getLayer(Transformers.block(0)).getParam("wq").addi(1);
    assertSameModel(m.selectLayers(1), twice.selectLayers(1), "layer 1's second copy after changing the first");
  }

  /**
   * SOLAR's premise: a depth-up-scaled model computes nearly what its base did, so continued pre-training
   * starts from a good model rather than from scratch. Bases: 4-layer GPT-2 and Llama (C=16) trained 30 Adam
   * steps on a period-6 cycle; up-scaled with drop 1 to 6 layers (0,1,2 | 1,2,3).
   */
  @Test
  void upScaledModelScoresCloseToItsBaseBeforeAnyTraining() {
    for (ModelConfig c : new ModelConfig[] {TinyModels.gpt2(4, true), TinyModels.llama(4, false)}) {
      LanguageModel base = TinyModels.trainedOnCycle(c, 6, 30, SEED);
      LanguageModel up = base.upscale(1);
      int[] ids = TinyModels.cycle(6, 2, c.contextLength() + 1);
      double baseLoss = base.loss(ids);
      double upLoss = up.loss(ids);
      double uniform = Math.log(c.vocabSize());
      double fresh = LanguageModel.create(up.config(), SEED).loss(ids);
      System.out.printf("%s (seed %d, -Dtests.seed to vary): base %d layers loss %.4f, up-scaled %d layers %.4f,"
          + " untrained %.4f, uniform ln(V) %.4f%n", c.architecture().id(), SEED, c.nLayers(), baseLoss,
          up.config().nLayers(), upLoss, fresh, uniform);
      // Measured (seed 0x11a3): gpt2 0.359 -> 0.402, llama 0.0584 -> 0.0592, untrained 3.11, ln(V) = 3.14.
      assertTrue(baseLoss < 0.15 * uniform, "the base model learned the cycle: " + baseLoss);
      assertTrue(Math.abs(upLoss - baseLoss) < 0.1 * uniform, "up-scaled " + upLoss + " vs base " + baseLoss);
      assertTrue(upLoss < 0.2 * uniform, "up-scaled " + upLoss + " far below uniform " + uniform);
    }
  }
}
