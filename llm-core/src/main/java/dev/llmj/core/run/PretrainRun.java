package dev.llmj.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.dist.Collective;
import dev.llmj.core.dist.Collectives;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.io.StrictJson;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A whole pre-training run described by one JSON file ({@code run.json}): data, model, initializer and
 * trainer settings. Starting it writes the run folder ({@code run.json}, checkpoints, {@code metrics.jsonl});
 * {@link #resume} reads the folder's {@code run.json} back and continues from the newest checkpoint exactly
 * where the run stopped. {@code llm pretrain} is this class.
 *
 * <pre>{@code
 * TrainResult r = PretrainRun.read(Path.of("run.json")).withOverrides(List.of("lr=3e-4")).run();
 * TrainResult more = PretrainRun.resume(Path.of("runs/sotu-small"))
 *     .withOverrides(List.of("max_steps=4000")).run();     // a larger budget for the same run
 * }</pre>
 *
 * <p>The file, paths relative to its folder:
 *
 * <pre>
 * {
 *   "output": "runs/sotu-small",
 *   "data":   {"shards": "data/shards", "validation_fraction": 0.01, "epochs": 10, "bytes_per_token": 4.3, "seed": 1},
 *   "model":  {"preset": "small"},                 // or {"config": {...config.json of a model...}}
 *   "init":   {"type": "random", "seed": 1},       // or {"type": "pretrained", "path": DIR}
 *                                                  // or {"type": "upscaled", "path": DIR, "drop": 2}
 *   "train":  {"lr": 6e-4, "max_steps": 2000, "micro_batch": 16, "seq_len": 256}
 * }
 * </pre>
 *
 * Unknown keys are errors that name the file and list the valid keys.
 *
 * <p>Started by {@code mpirun -np W} (or {@code srun}), every rank runs the same file and the run is data
 * parallel ({@link Collectives#world()}, {@link Trainer.Builder#collective}); rank 0 writes the run folder.
 */
public final class PretrainRun {

  /** The run description's file name inside a run folder. */
  public static final String RUN_FILE = "run.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode run;
  private final Path runFile;
  private final boolean resuming;
  private final Path output;
  private final TrainConfig train;

  private PretrainRun(JsonNode run, Path runFile, boolean resuming, TrainConfig train) {
    this.run = run;
    this.runFile = runFile;
    this.resuming = resuming;
    this.output = resuming ? (runFile.getParent() != null ? runFile.getParent() : Path.of(""))
        : Path.of(section(null).requiredString("output"));
    this.train = train;
    section("data").requiredString("shards");
    section("init");
    section("model");
  }

  /**
   * Reads and checks a run description; {@link #run()} then starts the run in its {@code output} folder
   * (continuing from that folder's newest checkpoint, if it has one).
   *
   * @throws IllegalArgumentException naming the file and the unknown key, missing key or bad value
   */
  public static PretrainRun read(Path runFile) throws IOException {
    return open(runFile, false, "");
  }

  /**
   * The run in {@code runDir}, as {@link #read} left it there; {@link #run()} continues from its newest
   * checkpoint.
   *
   * @throws IllegalArgumentException when {@code runDir} holds no {@code run.json}
   */
  public static PretrainRun resume(Path runDir) throws IOException {
    return open(runDir.resolve(RUN_FILE), true, "; resuming needs a run folder that a run from a run.json made");
  }

  private static PretrainRun open(Path runFile, boolean resuming, String hint) throws IOException {
    if (!Files.isRegularFile(runFile)) {
      throw new IllegalArgumentException(runFile + " not found" + hint);
    }
    JsonNode run = StrictJson.read(runFile);
    StrictJson.object(run, runFile.toString()).requireOnly(List.of("output", "data", "model", "init", "train"));
    TrainConfig train = TrainConfig.fromJson(run.path("train"), runFile + " train");
    return new PretrainRun(run, runFile, resuming, train);
  }

  /** A section of the file ({@code null}: the top level), checked against its valid keys. */
  private StrictJson section(String name) {
    if (name == null) {
      return StrictJson.object(run, runFile.toString());
    }
    List<String> valid = switch (name) {
      case "data" -> List.of("shards", "validation_fraction", "epochs", "bytes_per_token", "seed");
      case "init" -> List.of("type", "seed", "path", "drop");
      case "model" -> List.of("preset", "config");
      default -> throw new IllegalStateException(name);
    };
    return StrictJson.object(run.path(name), runFile + " " + name).requireOnly(valid);
  }

  /** The same run with trainer settings replaced by {@code key=value} pairs, e.g. {@code "max_steps=4000"}. */
  public PretrainRun withOverrides(List<String> overrides) {
    return new PretrainRun(run, runFile, resuming, train.withOverrides(overrides));
  }

  /** The run folder. */
  public Path output() {
    return output;
  }

  /** The trainer settings, overrides applied. */
  public TrainConfig trainConfig() {
    return train;
  }

  /**
   * Trains until the budget is spent: builds the model (or loads it, for pretrained and up-scaled runs),
   * opens the shards, writes {@code run.json} into a new run's folder, and continues from the newest
   * checkpoint when there is one.
   *
   * @throws IllegalArgumentException for a model whose vocabulary is smaller than the shards'
   */
  public TrainResult run() throws IOException {
    Collective world = Collectives.world();
    StrictJson data = section("data");
    Path shards = resolve(runFile, data.requiredString("shards"));
    PackingConfig packing = PackingConfig.of(train.seqLen(), train.microBatch())
        .withEpochs(data.optionalInt("epochs", 100))
        .withShuffle(data.optionalLong("seed", train.seed()))
        .withValidationFraction(data.optionalDouble("validation_fraction", 0.01));
    double bytesPerToken = data.optionalDouble("bytes_per_token", Double.NaN);
    PackingIterator iterator = PackingIterator.open(shards, packing);

    LanguageModel lm = initialModel(iterator.vocabSize());
    if (!resuming && world.rank() == 0) {
      Files.createDirectories(output);
      ObjectNode copy = run.deepCopy();
      copy.put("output", output.toString());
      ((ObjectNode) copy.get("data")).put("shards", shards.toAbsolutePath().toString());
      copy.set("train", train.toJson());
      Files.writeString(output.resolve(RUN_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(copy));
    }
    return Trainer.builder(lm, train)
        .train(iterator)
        .validation(iterator.validation(), bytesPerToken)
        .checkpoints(output.resolve("checkpoints"))
        .metrics(output.resolve("metrics.jsonl"))
        .collective(world)
        .build()
        .run();
  }

  /** The model before training: random from a preset or config, or a pretrained / up-scaled checkpoint. */
  private LanguageModel initialModel(int dataVocab) throws IOException {
    StrictJson init = section("init");
    String type = init.optionalString("type", "random");
    LanguageModel lm;
    switch (type) {
      case "random" -> {
        StrictJson model = section("model");
        ModelConfig config = run.path("model").has("config")
            ? ModelConfig.fromJson(run.path("model").get("config").toString(), runFile + " model config")
            : ModelConfig.preset(model.requiredString("preset"));
        lm = LanguageModel.create(config, init.optionalLong("seed", 1));
      }
      case "pretrained", "upscaled" -> {
        lm = LanguageModel.load(resolve(runFile, init.requiredString("path")));
        if (type.equals("upscaled")) {
          lm = lm.upscale(init.optionalInt("drop", 0));
        }
      }
      default -> throw new IllegalArgumentException(runFile + " init: key 'type' must be random, pretrained or"
          + " upscaled, got \"" + type + "\"");
    }
    if (lm.config().vocabSize() < dataVocab) {
      throw new IllegalArgumentException(runFile + ": the model's vocabulary (" + lm.config().vocabSize()
          + ") is smaller than the shards' (" + dataVocab + "); use the tokenizer the model was trained with");
    }
    return lm;
  }

  /** Paths in run.json are relative to its folder. */
  private static Path resolve(Path runFile, String p) {
    Path path = Path.of(p);
    Path base = runFile.toAbsolutePath().getParent();
    return path.isAbsolute() || base == null ? path : base.resolve(path).normalize();
  }
}
