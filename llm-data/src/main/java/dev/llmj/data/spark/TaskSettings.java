package dev.llmj.data.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.data.io.ReaderOptions;
import dev.llmj.data.pipeline.DistributedSteps;
import dev.llmj.data.pipeline.PipelineConfig;
import dev.llmj.data.pipeline.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * What every task needs, shipped to the executors as one JSON string: the pipeline file's text
 * (each task builds its own steps from it, so no step object is ever serialized), the input files
 * (as named in document ids) and where the executors find them (made absolute on the driver), the
 * output folder (absolute or a URI) and the driver's Hadoop settings.
 */
record TaskSettings(String pipelineJson, boolean strict, List<String> files, List<String> locations, String output,
    byte[] hadoopConf,
    String tokenizer, long tokensPerShard) {
  private static final ObjectMapper JSON = new ObjectMapper();

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TaskSettings fromJson(String json) {
    try {
      return JSON.readValue(json, TaskSettings.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PipelineConfig config() {
    return PipelineConfig.fromJson(pipelineJson, "pipeline config");
  }

  ReaderOptions reader(PipelineConfig c) {
    return c.reader().withStrict(strict);
  }

  /** Opens input file {@code file} in a task. */
  InputFiles.Reader open(int file, PipelineConfig c) {
    return InputFiles.open(locations.get(file), files.get(file), reader(c), conf());
  }

  Configuration conf() {
    return InputFiles.fromBytes(hadoopConf);
  }

  static List<DistributedSteps.Kind> kinds(List<Step> steps) {
    List<DistributedSteps.Kind> k = new ArrayList<>();
    for (Step s : steps) k.add(DistributedSteps.kind(s));
    return k;
  }

  /** Index of the last dedup step, or -1. */
  static int lastDedup(List<DistributedSteps.Kind> kinds) {
    for (int i = kinds.size() - 1; i >= 0; i--) if (kinds.get(i) != DistributedSteps.Kind.PER_DOCUMENT) return i;
    return -1;
  }
}
