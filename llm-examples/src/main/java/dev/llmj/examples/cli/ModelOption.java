package dev.llmj.examples.cli;

import dev.llmj.core.model.LanguageModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model PATH} option of the model commands (a picocli mixin). */
final class ModelOption {

  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "A checkpoint folder (step-NNNNNNNN), a run or checkpoints folder (its newest complete"
          + " checkpoint), or a Hugging Face GPT-2/Llama folder (config.json + model.safetensors).")
  Path path;

  LanguageModel load() throws IOException {
    return LanguageModel.load(path);
  }
}
