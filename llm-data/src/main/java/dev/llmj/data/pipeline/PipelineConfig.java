package dev.llmj.data.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmj.data.io.Compression;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole pipeline as a small JSON file, for the CLI. Every key is optional; absent sections take
 * the defaults and an absent {@code steps} means {@link Steps#defaults()}. Step keys are the
 * component names of the step's config record; unknown keys are errors listing the valid ones.
 *
 * <pre>{@code
 * {
 *   "reader": {"textField": "text", "maxLineBytes": 1048576},
 *   "steps": [
 *     {"type": "normalize"},
 *     {"type": "exact_dedup", "hashBits": 64},
 *     {"type": "minhash_dedup", "ngram": 5, "bands": 14, "rows": 8, "seed": 1},
 *     {"type": "gopher_quality", "minWords": 50},
 *     {"type": "language", "languages": ["en", "fr"]},
 *     {"type": "pii"}
 *   ],
 *   "output": {"shardBytes": 268435456, "compression": "zstd", "writeRejected": true}
 * }
 * }</pre>
 */
public record PipelineConfig(ReaderOptions reader, List<Step> steps, Output output) {
  /**
   * Where kept (and, optionally, rejected) documents go.
   *
   * @param shardBytes target uncompressed bytes per JSONL shard
   * @param compression none, gzip or zstd
   * @param writeRejected also write dropped documents (with drop_step and drop_reason) under {@code rejected/}
   */
  public record Output(long shardBytes, Compression compression, boolean writeRejected) {
    public Output {
      Check.atLeast("shardBytes", shardBytes, 1);
      if (compression == null) throw new IllegalArgumentException("compression must be none, gzip or zstd");
    }

    public static Output defaults() {
      return new Output(256L << 20, Compression.GZIP, false);
    }
  }

  private interface StepReader {
    Step read(JsonNode node, String source);
  }

  private static final Map<String, StepReader> STEP_TYPES = new LinkedHashMap<>();

  static {
    STEP_TYPES.put("normalize", (n, src) -> Steps.normalize(bind(n, NormalizeConfig.defaults(), src)));
    STEP_TYPES.put("exact_dedup", (n, src) -> Steps.exactDedup(bind(n, ExactDedupConfig.defaults(), src)));
    STEP_TYPES.put("minhash_dedup", (n, src) -> Steps.minHashDedup(bind(n, MinHashConfig.defaults(), src)));
    STEP_TYPES.put("gopher_quality", (n, src) -> Steps.gopherQuality(bind(n, GopherQualityConfig.defaults(), src)));
    STEP_TYPES.put("gopher_repetition",
        (n, src) -> Steps.gopherRepetition(bind(n, GopherRepetitionConfig.defaults(), src)));
    STEP_TYPES.put("c4", (n, src) -> Steps.c4(bind(n, C4Config.defaults(), src)));
    STEP_TYPES.put("pii", (n, src) -> Steps.pii(bind(n, PiiConfig.defaults(), src)));
    STEP_TYPES.put("language", (n, src) -> Steps.language(bind(n, LanguageConfig.defaults(), src)));
    STEP_TYPES.put("toxic", (n, src) -> Steps.toxic(bind(n, ToxicConfig.defaults(), src)));
    STEP_TYPES.put("length", (n, src) -> Steps.length(bind(n, LengthConfig.defaults(), src)));
  }

  public PipelineConfig {
    steps = List.copyOf(steps);
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(ReaderOptions.defaults(), Steps.defaults(), Output.defaults());
  }

  /** Reads a pipeline file; messages name the file, the section and the key. */
  public static PipelineConfig fromFile(Path file) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read pipeline config " + file + ": " + e.getMessage(), e);
    }
    return fromJson(json, file.toString());
  }

  /** Reads pipeline JSON text; see {@link #fromJson(String, String)}. */
  public static PipelineConfig fromJson(String json) {
    return fromJson(json, "pipeline config");
  }

  /** Reads pipeline JSON text; {@code source} names its origin (a file) in messages. */
  public static PipelineConfig fromJson(String json, String source) {
    JsonNode root = StrictJson.parse(json, source);
    if (root == null || root.isMissingNode()) {
      throw new IllegalArgumentException(source + ": empty; expected a JSON object such as {\"steps\": [...]}");
    }
    StrictJson.object(root, source).requireOnly(List.of("reader", "steps", "output"));
    ReaderOptions reader = bind(root.get("reader"), ReaderOptions.defaults(), source + " reader");
    Output output = bind(root.get("output"), Output.defaults(), source + " output");
    List<Step> steps;
    JsonNode s = root.get("steps");
    if (s == null) {
      steps = Steps.defaults();
    } else {
      if (!s.isArray()) {
        throw new IllegalArgumentException(source + ": steps must be a JSON array of {\"type\": ...} objects, got "
            + s.getNodeType());
      }
      steps = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        JsonNode n = s.get(i);
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual() || !STEP_TYPES.containsKey(type.textValue())) {
          throw new IllegalArgumentException(source + ": steps[" + i + "].type is " + type + "; valid types: "
              + STEP_TYPES.keySet());
        }
        steps.add(STEP_TYPES.get(type.textValue()).read(n, source + " steps[" + i + "] (" + type.textValue() + ")"));
      }
    }
    return new PipelineConfig(reader, steps, output);
  }

  private static <R extends Record> R bind(JsonNode n, R defaults, String source) {
    return StrictJson.bind(n, defaults, source, StrictJson.Keys.COMPONENT_NAMES, "type");
  }
}
