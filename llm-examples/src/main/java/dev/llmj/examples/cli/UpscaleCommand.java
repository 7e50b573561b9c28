package dev.llmj.examples.cli;

import dev.llmj.core.model.LanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code llm upscale}: SOLAR depth up-scaling of a model into a new folder. */
@Command(name = "upscale", mixinStandardHelpOptions = true,
    description = {"Depth up-scaling (SOLAR): two copies of the model's n layers, the last M of the first and the"
        + " first M of the second dropped, 2(n-M) layers in all. Prints layers=<n> parameters=<count>.",
        "Example: llm upscale --model models/gpt2 --drop 4 --output models/gpt2-16"})
final class UpscaleCommand implements Callable<Integer> {

  enum Format { checkpoint, hf }

  @Mixin ModelOption model;

  @Option(names = "--drop", required = true, paramLabel = "M",
      description = "Layers dropped from each copy at the seam, 0 <= M < n (SOLAR 10.7B: 8 of 32).")
  int drop;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "New folder for the up-scaled model.")
  Path output;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "checkpoint",
      description = "checkpoint (this library's, loadable by every command and for training) or hf"
          + " (Hugging Face config.json + model.safetensors). Default: ${DEFAULT-VALUE}.")
  Format format;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(output)) {
      throw new IllegalArgumentException("--output " + output + " already exists; give a new folder");
    }
    LanguageModel base = model.load();
    LanguageModel up = base.upscale(drop);
    if (format == Format.hf) {
      up.exportHuggingFace(output);
    } else {
      up.save(output);
    }
    System.err.println("upscaled " + base.config().nLayers() + " -> " + up.config().nLayers() + " layers into "
        + output + " (" + format + ")");
    System.out.println("layers=" + up.config().nLayers() + " parameters=" + up.graph().numParams());
    return 0;
  }
}
