package dev.llmj.core.io;

import dev.llmj.data.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Hugging Face model in memory: its configuration and every parameter by canonical HF name, in HF
 * shapes. The constructor checks the names and shapes against the configuration.
 *
 * <pre>{@code
 * HfModel gpt2 = HfModel.load(Path.of("models/gpt2"));
 * INDArray wte = gpt2.tensors().get("wte.weight");              // (V, C) float32
 * gpt2.save(Path.of("out/gpt2"));                                // config.json + model.safetensors
 * gpt2.save(Path.of("out/gpt2-bf16"), SafetensorsDType.BF16, 2L << 30);   // 2 GB shards + index
 * }</pre>
 */
public record HfModel(HfConfig config, Map<String, INDArray> tensors) {
  /** HF's default {@code max_shard_size}. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  public HfModel {
    if (config == null || tensors == null) {
      throw new IllegalArgumentException("config and tensors must not be null");
    }
    HfTensorNames.check(config, tensors, "HfModel");
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** Loads every tensor as float32. For models larger than memory use {@link HfModelFolder#open}. */
  public static HfModel load(Path folder) throws IOException {
    try (HfModelFolder f = HfModelFolder.open(folder)) {
      return new HfModel(f.config(), f.loadAll());
    }
  }

  /** Saves as float32 in one file up to 5 GB, sharded above. */
  public void save(Path folder) throws IOException {
    save(folder, SafetensorsDType.F32, DEFAULT_MAX_SHARD_BYTES);
  }

  /**
   * Writes {@code config.json} and the weights as {@code dtype}: one {@code model.safetensors} when
   * they fit in {@code maxShardBytes}, otherwise {@code model-0000i-of-0000n.safetensors} plus
   * {@code model.safetensors.index.json}. Earlier weight files in the folder are removed first so a
   * stale single file cannot shadow a new index; other files (tokenizer) are left alone. Each file
   * appears atomically and the index is written last.
   */
  public void save(Path folder, SafetensorsDType dtype, long maxShardBytes) throws IOException {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
    }
    Files.createDirectories(folder);
    removeWeightFiles(folder);
    AtomicFiles.writeFile(folder.resolve(HfModelFolder.CONFIG),
        tmp -> Files.write(tmp, Json.PRETTY.writeValueAsBytes(config.toJson())));
    Map<String, String> metadata = Map.of("format", "pt");
    List<Map<String, INDArray>> shards = new ArrayList<>();
    long shardBytes = 0;
    long total = 0;
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      long bytes = e.getValue().length() * dtype.bytes();
      if (shards.isEmpty() || (shardBytes > 0 && shardBytes + bytes > maxShardBytes)) {
        shards.add(new LinkedHashMap<>());
        shardBytes = 0;
      }
      shards.get(shards.size() - 1).put(e.getKey(), e.getValue());
      shardBytes += bytes;
      total += bytes;
    }
    if (shards.size() <= 1) {
      Safetensors.write(folder.resolve(HfModelFolder.SINGLE), tensors, metadata, dtype);
      return;
    }
    Map<String, String> weightMap = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      Safetensors.write(folder.resolve(name), shards.get(i), metadata, dtype);
      shards.get(i).keySet().forEach(t -> weightMap.put(t, name));
    }
    var index = Json.STRICT.createObjectNode();
    index.putObject("metadata").put("total_size", total);
    var map = index.putObject("weight_map");
    weightMap.forEach(map::put);
    AtomicFiles.writeFile(folder.resolve(HfModelFolder.INDEX), tmp -> Files.write(tmp, Json.PRETTY.writeValueAsBytes(index)));
  }

  private static void removeWeightFiles(Path folder) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(folder,
        "{model.safetensors,model.safetensors.index.json,model-*-of-*.safetensors}")) {
      for (Path p : s) {
        Files.delete(p);
      }
    }
  }
}
