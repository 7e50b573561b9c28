package dev.llmj.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Hugging Face model folder opened lazily: {@code config.json} plus {@code model.safetensors} or
 * the shards listed by {@code model.safetensors.index.json}. Opening validates the configuration,
 * every shard header, the index and the full set of tensor names and shapes; data is read per tensor.
 * Names are canonical (see {@link HfTensorNames}) and listed in module order; causal-mask and
 * rotary buffers are skipped.
 *
 * <pre>{@code
 * try (HfModelFolder folder = HfModelFolder.open(Path.of("models/gpt2"))) {
 *   HfConfig config = folder.config();
 *   INDArray cAttn = folder.load("h.0.attn.c_attn.weight");   // (C, 3C)
 * }
 * }</pre>
 */
public final class HfModelFolder implements TensorSource {
  static final String CONFIG = "config.json";
  static final String SINGLE = "model.safetensors";
  static final String INDEX = "model.safetensors.index.json";

  private record Entry(SafetensorsFile file, String storedName) {}

  private final Path folder;
  private final HfConfig config;
  private final List<SafetensorsFile> files;
  private final Map<String, Entry> entries;

  private HfModelFolder(Path folder, HfConfig config, List<SafetensorsFile> files, Map<String, Entry> entries) {
    this.folder = folder;
    this.config = config;
    this.files = files;
    this.entries = entries;
  }

  public static HfModelFolder open(Path folder) throws IOException {
    Path configPath = folder.resolve(CONFIG);
    if (!Files.isRegularFile(configPath)) {
      throw new IllegalArgumentException(folder + ": no config.json; expected a Hugging Face model folder");
    }
    HfConfig config = HfConfig.read(configPath);
    List<SafetensorsFile> files = new ArrayList<>();
    try {
      Map<String, Entry> entries = new LinkedHashMap<>();
      if (Files.isRegularFile(folder.resolve(SINGLE))) {
        SafetensorsFile f = Safetensors.open(folder.resolve(SINGLE));
        files.add(f);
        for (String name : f.names()) {
          add(entries, config, f, name);
        }
      } else if (Files.isRegularFile(folder.resolve(INDEX))) {
        openShards(folder, config, files, entries);
      } else {
        throw new IllegalArgumentException(folder + ": neither " + SINGLE + " nor " + INDEX
            + "; PyTorch .bin checkpoints are not read, convert them to safetensors first");
      }
      Map<String, long[]> shapes = new LinkedHashMap<>();
      entries.forEach((name, e) -> shapes.put(name, e.file.info(e.storedName).shape()));
      HfTensorNames.checkShapes(config, shapes, folder.toString());
      // Module order (embeddings, layer 0, 1, ...), whatever order the shards stored them in.
      Map<String, Entry> ordered = new LinkedHashMap<>();
      for (String name : HfTensorNames.expected(config).keySet()) {
        ordered.put(name, entries.get(name));
      }
      entries.forEach(ordered::putIfAbsent);
      return new HfModelFolder(folder, config, List.copyOf(files), Collections.unmodifiableMap(ordered));
    } catch (IOException | RuntimeException e) {
      for (SafetensorsFile f : files) {
        f.close();
      }
      throw e;
    }
  }

  private static void add(Map<String, Entry> entries, HfConfig config, SafetensorsFile file, String stored) {
    String name = HfTensorNames.canonical(config, stored);
    if (name == null) {
      return;
    }
    Entry previous = entries.put(name, new Entry(file, stored));
    if (previous != null) {
      throw new IllegalArgumentException(file.path() + ": tensor '" + stored + "' duplicates '" + previous.storedName
          + "' in " + previous.file.path() + " (both are '" + name + "')");
    }
  }

  private static void openShards(Path folder, HfConfig config, List<SafetensorsFile> files, Map<String, Entry> entries)
      throws IOException {
    Path indexPath = folder.resolve(INDEX);
    JsonNode index;
    try {
      index = Json.STRICT.readTree(Files.readAllBytes(indexPath));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(indexPath + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode weightMap = index == null ? null : index.get("weight_map");
    if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
      throw new IllegalArgumentException(indexPath + ": expected a non-empty object 'weight_map' of tensor name -> file");
    }
    Path root = folder.toRealPath();
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, String> fileOf = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException(indexPath + ": weight_map['" + e.getKey() + "'] must be a file name, got "
            + e.getValue());
      }
      String shard = e.getValue().textValue();
      if (!shards.containsKey(shard)) {
        SafetensorsFile f = Safetensors.open(insideFolder(indexPath, root, e.getKey(), shard));
        files.add(f);
        shards.put(shard, f);
      }
      fileOf.put(e.getKey(), shard);
    }
    for (Map.Entry<String, SafetensorsFile> s : shards.entrySet()) {
      for (String stored : s.getValue().names()) {
        String listed = fileOf.get(stored);
        if (listed == null) {
          throw new IllegalArgumentException(indexPath + ": tensor '" + stored + "' is stored in " + s.getKey()
              + " but missing from weight_map");
        }
        if (!listed.equals(s.getKey())) {
          throw new IllegalArgumentException(indexPath + ": tensor '" + stored + "' is stored in " + s.getKey()
              + " but weight_map says " + listed + "; a tensor must be stored exactly once");
        }
      }
    }
    for (Map.Entry<String, String> e : fileOf.entrySet()) {
      SafetensorsFile f = shards.get(e.getValue());
      if (!f.names().contains(e.getKey())) {
        throw new IllegalArgumentException(indexPath + ": weight_map lists '" + e.getKey() + "' in " + e.getValue()
            + " but that file does not contain it");
      }
      add(entries, config, f, e.getKey());
    }
  }

  /** Shard names come from an untrusted file: they must name a regular file inside the folder. */
  private static Path insideFolder(Path indexPath, Path root, String tensor, String shard) throws IOException {
    Path relative = Path.of(shard);
    boolean parentStep = false;
    for (Path part : relative) {
      parentStep |= part.toString().equals("..");
    }
    if (shard.isEmpty() || relative.isAbsolute() || parentStep || shard.startsWith("/") || shard.contains("\\")) {
      throw new IllegalArgumentException(indexPath + ": weight_map['" + tensor + "'] = '" + shard
          + "' must be a relative file name inside the model folder (no '..', no absolute path)");
    }
    Path resolved = root.resolve(relative);
    if (!Files.isRegularFile(resolved)) {
      throw new IllegalArgumentException(indexPath + ": weight_map['" + tensor + "'] names shard '" + shard
          + "', which does not exist in " + root);
    }
    if (!resolved.toRealPath().startsWith(root)) {
      throw new IllegalArgumentException(indexPath + ": shard '" + shard + "' resolves outside the model folder (symlink?)");
    }
    return resolved;
  }

  public Path folder() {
    return folder;
  }

  public HfConfig config() {
    return config;
  }

  @Override
  public Set<String> names() {
    return entries.keySet();
  }

  /** The stored header entry (its name may carry the {@code transformer.} prefix). */
  @Override
  public TensorInfo info(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(folder + ": no tensor named '" + name + "'");
    }
    return e.file.info(e.storedName);
  }

  @Override
  public INDArray load(String name) throws IOException {
    info(name);
    Entry e = entries.get(name);
    return e.file.load(e.storedName);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SafetensorsFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
