package dev.llmj.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.core.train.Trainer;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

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
        : Path.of(text(run, "output", runFile));
    this.train = train;
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
    JsonNode run;
    try {
      run = JSON.readTree(runFile.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(runFile + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    checkKeys(run, runFile + "", Set.of("output", "data", "model", "init", "train"));
    checkKeys(run.path("data"), runFile + " data", Set.of("shards", "validation_fraction", "epochs",
        "bytes_per_token", "seed"));
    checkKeys(run.path("init"), runFile + " init", Set.of("type", "seed", "path", "drop"));
    checkKeys(run.path("model"), runFile + " model", Set.of("preset", "config"));
    text(run.path("data"), "shards", runFile);
    TrainConfig train = TrainConfig.fromJson(run.path("train").isMissingNode() ? JSON.createObjectNode()
        : run.path("train"), runFile + " train");
    return new PretrainRun(run, runFile, resuming, train);
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
    JsonNode data = run.path("data");
    Path shards = resolve(runFile, text(data, "shards", runFile));
    PackingConfig packing = PackingConfig.of(train.seqLen(), train.microBatch())
        .withEpochs(data.path("epochs").asInt(100))
        .withShuffle(data.path("seed").asLong(train.seed()))
        .withValidationFraction(data.path("validation_fraction").asDouble(0.01));
    PackingIterator iterator = PackingIterator.open(shards, packing);

    LanguageModel lm = initialModel(iterator.vocabSize());
    if (!resuming) {
      Files.createDirectories(output);
      ObjectNode copy = run.deepCopy();
      copy.put("output", output.toString());
      ((ObjectNode) copy.get("data")).put("shards", shards.toAbsolutePath().toString());
      copy.set("train", train.toJson());
      Files.writeString(output.resolve(RUN_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(copy));
    }
    return Trainer.builder(lm, train)
        .train(iterator)
        .validation(iterator.validation(), data.path("bytes_per_token").asDouble(Double.NaN))
        .checkpoints(output.resolve("checkpoints"))
        .metrics(output.resolve("metrics.jsonl"))
        .build()
        .run();
  }

  /** The model before training: random from a preset or config, or a pretrained / up-scaled checkpoint. */
  private LanguageModel initialModel(int dataVocab) throws IOException {
    JsonNode init = run.path("init");
    String type = init.path("type").asText("random");
    LanguageModel lm;
    switch (type) {
      case "random" -> {
        JsonNode model = run.path("model");
        ModelConfig config = model.has("config")
            ? ModelConfig.fromJson(model.get("config").toString(), runFile + " model.config")
            : ModelConfig.preset(text(model, "preset", runFile));
        lm = LanguageModel.create(config, init.path("seed").asLong(1));
      }
      case "pretrained", "upscaled" -> {
        lm = LanguageModel.load(resolve(runFile, text(init, "path", runFile)));
        if (type.equals("upscaled")) {
          lm = lm.upscale(init.path("drop").asInt(0));
        }
      }
      default -> throw new IllegalArgumentException(runFile + ": init.type '" + type
          + "' unknown; use random, pretrained or upscaled");
    }
    if (lm.config().vocabSize() < dataVocab) {
      throw new IllegalArgumentException("the model's vocabulary (" + lm.config().vocabSize()
          + ") is smaller than the shards' (" + dataVocab + "); use the tokenizer the model was trained with");
    }
    return lm;
  }

  private static void checkKeys(JsonNode node, String where, Set<String> valid) {
    if (node.isMissingNode()) {
      return;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!valid.contains(k)) {
        throw new IllegalArgumentException(where + ": unknown key '" + k + "'; valid keys: " + valid);
      }
    }
  }

  private static String text(JsonNode node, String key, Path file) {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException(file + ": '" + key + "' is required (a non-empty string)");
    }
    return v.asText();
  }

  /** Paths in run.json are relative to its folder. */
  private static Path resolve(Path runFile, String p) {
    Path path = Path.of(p);
    Path base = runFile.toAbsolutePath().getParent();
    return path.isAbsolute() || base == null ? path : base.resolve(path).normalize();
  }
}
