package dev.llmj.core.eval;

import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;

/** Tiny random models for the evaluation tests, and the reference log-likelihood computed one sequence at a time. */
final class EvalModels {
  static final long SEED = Long.getLong("tests.seed", 20240611L);
  static final Tokenizer GPT2 = Tokenizers.gpt2();

  private EvalModels() {}

  static LanguageModel tiny(Architecture a, int vocab, int context) {
    ModelConfig c = ModelConfig.of(a, vocab, context, 2, 2, 16);
    return LanguageModel.create(a == Architecture.LLAMA ? c.withKvHeads(1) : c, SEED);
  }

  /** A model over the GPT-2 vocabulary, so text can be scored. */
  static LanguageModel tinyGpt2Vocab(int context) {
    return tiny(Architecture.GPT2, GPT2.vocabSize(), context);
  }

  /** log softmax(nextLogits(prefix))[target] in double: the plain path, one position per forward pass. */
  static double logProb(LanguageModel lm, int[] prefix, int target) {
    float[] z = lm.nextLogits(prefix);
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v - max);
    }
    return z[target] - max - Math.log(sum);
  }
}
