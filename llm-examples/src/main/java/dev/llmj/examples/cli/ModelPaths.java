package dev.llmj.examples.cli;

/** Shared wording for the {@code --model} option of the model commands. */
final class ModelPaths {
  static final String DESCRIPTION = "A checkpoint folder (step-NNNNNNNN), a run or checkpoints folder (its newest"
      + " complete checkpoint), or a Hugging Face GPT-2/Llama folder (config.json + model.safetensors).";

  private ModelPaths() {}
}
