package dev.llmj.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.train.TrainConfig;
import dev.llmj.core.train.TrainResult;
import dev.llmj.data.shard.PackingConfig;
import dev.llmj.data.shard.PackingIterator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code llm pretrain}: a full run from one JSON file, or the continuation of a run.
 *
 * <pre>
 * {
 *   "output": "runs/sotu-small",
 *   "data":   {"shards": "data/shards", "validation_fraction": 0.01, "epochs": 10, "bytes_per_token": 4.3},
 *   "model":  {"preset": "small"},                 // or {"config": {...config.json of a model...}}
 *   "init":   {"type": "random", "seed": 1},       // or {"type": "pretrained", "path": DIR}
 *                                                  // or {"type": "upscaled", "path": DIR, "drop": 2}
 *   "train":  {"lr": 6e-4, "max_steps": 2000, "micro_batch": 16, "seq_len": 256}
 * }
 * </pre>
 *
 * The run folder keeps a copy as {@code run.json}; {@code pretrain --resume RUN_DIR} reads it back and
 * continues from the newest checkpoint exactly where the run stopped.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Pre-train from a run.json (data, model, initializer, trainer settings), or --resume a run.")
final class PretrainCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String RUN_FILE = "run.json";

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--config", paramLabel = "FILE", description = "run.json describing the run.")
    Path config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its newest checkpoint.")
    Path resume;
  }

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Trainer setting overrides, e.g. --set lr=3e-4.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    Path runFile = source.config != null ? source.config : source.resume.resolve(RUN_FILE);
    if (!Files.isRegularFile(runFile)) {
      throw new IllegalArgumentException(runFile + " not found" + (source.resume != null
          ? "; --resume needs a run folder made by pretrain --config" : ""));
    }
    JsonNode run = JSON.readTree(runFile.toFile());
    checkKeys(run, runFile + "", Set.of("output", "data", "model", "init", "train"));
    Path output = source.resume != null ? source.resume : Path.of(text(run, "output", runFile));
    TrainConfig cfg = TrainConfig.fromJson(run.path("train"), runFile + " train").withOverrides(overrides);

    JsonNode data = run.path("data");
    checkKeys(data, runFile + " data", Set.of("shards", "validation_fraction", "epochs", "bytes_per_token", "seed"));
    Path shards = resolve(runFile, text(data, "shards", runFile));
    PackingConfig packing = PackingConfig.of(cfg.seqLen(), cfg.microBatch())
        .withEpochs(data.path("epochs").asInt(100))
        .withShuffle(data.path("seed").asLong(cfg.seed()))
        .withValidationFraction(data.path("validation_fraction").asDouble(0.01));
    PackingIterator iterator = PackingIterator.open(shards, packing);

    LanguageModel lm = initialModel(run, runFile, iterator.vocabSize());
    if (source.config != null) {
      Files.createDirectories(output);
      ObjectNode copy = ((ObjectNode) run.deepCopy());
      copy.put("output", output.toString());
      ((ObjectNode) copy.with("data")).put("shards", shards.toAbsolutePath().toString());
      copy.set("train", cfg.toJson());
      Files.writeString(output.resolve(RUN_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(copy));
    }
    double bytesPerToken = data.path("bytes_per_token").asDouble(Double.NaN);
    TrainResult r = lm.trainer(cfg)
        .train(iterator)
        .validation(iterator.validation(), bytesPerToken)
        .checkpoints(output.resolve("checkpoints"))
        .metrics(output.resolve("metrics.jsonl"))
        .build()
        .run();
    System.out.printf(Locale.ROOT, "steps=%d tokens=%d loss=%.4f%s run=%s%n", r.steps(), r.tokens(), r.lastLoss(),
        r.lastEvaluation() == null ? "" : String.format(Locale.ROOT, " val_loss=%.4f", r.lastEvaluation().loss()),
        output);
    return 0;
  }

  /** The model before training: random from a preset or config, or a pretrained / up-scaled checkpoint. */
  private static LanguageModel initialModel(JsonNode run, Path runFile, int dataVocab) throws IOException {
    JsonNode init = run.path("init");
    checkKeys(init, runFile + " init", Set.of("type", "seed", "path", "drop"));
    String type = init.path("type").asText("random");
    LanguageModel lm;
    switch (type) {
      case "random" -> {
        JsonNode model = run.path("model");
        checkKeys(model, runFile + " model", Set.of("preset", "config"));
        ModelConfig config = model.has("config") ? ModelConfig.fromJson(model.get("config").toString())
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
