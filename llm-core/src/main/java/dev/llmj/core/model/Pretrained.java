package dev.llmj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmj.core.io.Checkpoint;
import dev.llmj.core.io.CheckpointManager;
import dev.llmj.core.io.HfModel;
import dev.llmj.core.io.TrainerState;
import dev.llmj.core.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link LanguageModel#load} and {@link LanguageModel#save}: which kind of folder a path is, and reading
 * or writing it.
 */
final class Pretrained {

  static final String CHECKPOINTS = "checkpoints";
  private static final String CONFIG = "config.json";

  private Pretrained() {}

  static LanguageModel load(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(path + ": not a folder; expected a checkpoint (step-NNNNNNNN), a run or"
          + " checkpoints folder, or a Hugging Face model folder (config.json + model.safetensors)");
    }
    if (Checkpoint.isCheckpoint(path) || CheckpointManager.isStepFolder(path)) {
      return fromCheckpoint(path); // an incomplete step folder fails there, saying why
    }
    if (Files.isRegularFile(path.resolve(CONFIG))) {
      return LanguageModel.fromHuggingFace(HfModel.load(path));
    }
    Path runDir = Files.isDirectory(path.resolve(CHECKPOINTS)) ? path.resolve(CHECKPOINTS) : path;
    Optional<CheckpointManager.Entry> latest = CheckpointManager.latestComplete(runDir);
    if (latest.isEmpty()) {
      throw new IllegalArgumentException(path + ": no config.json and no complete step-NNNNNNNN checkpoint in "
          + runDir + "; expected a checkpoint, run or Hugging Face model folder");
    }
    return fromCheckpoint(latest.get().folder());
  }

  private static LanguageModel fromCheckpoint(Path folder) throws IOException {
    Checkpoint c = Checkpoint.read(folder);
    ModelConfig config = modelConfig(c.modelConfig(), folder.resolve(CONFIG));
    boolean doubles = c.model().values().stream().anyMatch(w -> w.dataType() == DataType.DOUBLE);
    ComputationGraph graph = Transformers.build(config, 0, doubles ? DataType.DOUBLE : DataType.FLOAT, new Adam(3e-4));
    Trainer.loadWeights(graph, c);
    return new LanguageModel(graph, config);
  }

  /** The checkpoint's config.json as a {@link ModelConfig}, or an error saying how the run should be built. */
  static ModelConfig modelConfig(JsonNode json, Path file) {
    if (json.has("vertices") || json.has("networkInputs")) {
      throw new IllegalArgumentException(file + " is a DL4J graph configuration, not a ModelConfig: the run was"
          + " trained without the model's config; build runs with LanguageModel.trainer(...) or pass"
          + " Trainer.Builder.modelConfig(Checkpoint.json(modelConfig.toJson()))");
    }
    try {
      return ConfigJson.read(json.toString(), file.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (" + file.getFileName()
          + " of a checkpoint must be a ModelConfig, as ModelConfig.toJson() writes it)", e);
    }
  }

  static void save(LanguageModel model, Path folder) throws IOException {
    Map<String, INDArray> weights = new LinkedHashMap<>();
    model.graph().paramTable().forEach((name, view) -> weights.put(name, view.dup('c')));
    new Checkpoint(Checkpoint.json(model.config().toJson()), weights, Map.of(), null, new TrainerState(0, 0))
        .write(folder);
  }
}
