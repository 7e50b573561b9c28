package dev.llmj.data.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.io.Compression;
import dev.llmj.data.io.ReaderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

  private static final Map<String, Function<JsonNode, Step>> STEP_TYPES = new LinkedHashMap<>();

  static {
    STEP_TYPES.put("normalize", n -> Steps.normalize(bind(n, NormalizeConfig.defaults(), "normalize")));
    STEP_TYPES.put("exact_dedup", n -> Steps.exactDedup(bind(n, ExactDedupConfig.defaults(), "exact_dedup")));
    STEP_TYPES.put("minhash_dedup", n -> Steps.minHashDedup(bind(n, MinHashConfig.defaults(), "minhash_dedup")));
    STEP_TYPES.put("gopher_quality", n -> Steps.gopherQuality(bind(n, GopherQualityConfig.defaults(), "gopher_quality")));
    STEP_TYPES.put("gopher_repetition", n -> Steps.gopherRepetition(bind(n, GopherRepetitionConfig.defaults(), "gopher_repetition")));
    STEP_TYPES.put("c4", n -> Steps.c4(bind(n, C4Config.defaults(), "c4")));
    STEP_TYPES.put("pii", n -> Steps.pii(bind(n, PiiConfig.defaults(), "pii")));
    STEP_TYPES.put("language", n -> Steps.language(bind(n, LanguageConfig.defaults(), "language")));
    STEP_TYPES.put("toxic", n -> Steps.toxic(bind(n, ToxicConfig.defaults(), "toxic")));
    STEP_TYPES.put("length", n -> Steps.length(bind(n, LengthConfig.defaults(), "length")));
  }

  public PipelineConfig {
    steps = List.copyOf(steps);
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(ReaderOptions.defaults(), Steps.defaults(), Output.defaults());
  }

  public static PipelineConfig fromFile(Path file) {
    try {
      return fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read pipeline config " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Pipeline config " + file + ": " + e.getMessage(), e);
    }
  }

  public static PipelineConfig fromJson(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) throw new IllegalArgumentException("The config must be a JSON object");
    List<String> valid = List.of("reader", "steps", "output");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!valid.contains(k)) throw new IllegalArgumentException("Unknown key '" + k + "' at top level; valid keys: " + valid);
    }
    ReaderOptions reader = bind(root.get("reader"), ReaderOptions.defaults(), "reader");
    Output output = bind(root.get("output"), Output.defaults(), "output");
    List<Step> steps;
    JsonNode s = root.get("steps");
    if (s == null) {
      steps = Steps.defaults();
    } else {
      if (!s.isArray()) throw new IllegalArgumentException("steps must be a JSON array of {\"type\": ...} objects");
      steps = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        JsonNode n = s.get(i);
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual() || !STEP_TYPES.containsKey(type.textValue())) {
          throw new IllegalArgumentException("steps[" + i + "].type is " + type + "; valid types: " + STEP_TYPES.keySet());
        }
        steps.add(STEP_TYPES.get(type.textValue()).apply(n));
      }
    }
    return new PipelineConfig(reader, steps, output);
  }

  private static <R extends Record> R bind(JsonNode n, R defaults, String where) {
    return RecordBinder.bind(n, defaults, where, "type");
  }
}
