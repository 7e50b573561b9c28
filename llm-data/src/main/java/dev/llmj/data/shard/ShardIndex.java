package dev.llmj.data.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.data.io.AtomicFiles;
import dev.llmj.data.io.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code index.json} manifest of a shard directory: which shards, in which order, how many
 * tokens each, and the vocabulary they were written with. {@link ShardWriter} writes it last, so a
 * directory with an index is complete.
 *
 * <pre>{@code
 * ShardIndex index = ShardIndex.read(Path.of("shards"));
 * System.out.println(index.totalTokens() + " tokens in " + index.shards().size() + " shards");
 * }</pre>
 *
 * @param vocabSize number of token ids; every token is below it
 * @param eotId the end-of-text id between documents, or -1 when the shards have none
 * @param tokenizerHash an identifier of the tokenizer that produced the tokens, or null
 * @param shards the shard files in stream order
 */
public record ShardIndex(int vocabSize, int eotId, String tokenizerHash, List<Entry> shards) {
  public static final String FILE_NAME = "index.json";
  static final String FORMAT = "llmj-token-shards";
  /** A shard file name is a plain name inside the directory: no separators, no parent links. */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
  private static final Set<String> KEYS = Set.of("format", "version", "vocab_size", "eot_id",
      "dtype", "tokenizer_hash", "tokens", "documents", "shards");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One shard file: its name inside the directory, its tokens and its documents. */
  public record Entry(String file, long tokens, long documents) {
    public Entry {
      Objects.requireNonNull(file, "file");
      if (!SAFE_NAME.matcher(file).matches()) {
        throw new IllegalArgumentException("shard file name '" + file
            + "' must be a plain file name (letters, digits, '.', '_', '-')");
      }
      if (tokens < 0 || documents < 0) {
        throw new IllegalArgumentException("shard " + file + ": tokens " + tokens
            + " and documents " + documents + " must be >= 0");
      }
    }
  }

  public ShardIndex {
    if (vocabSize <= 0) {
      throw new IllegalArgumentException("vocabSize is " + vocabSize + ", expected > 0");
    }
    if (eotId < -1 || eotId >= vocabSize) {
      throw new IllegalArgumentException("eotId is " + eotId + ", expected -1 (none) or 0.."
          + (vocabSize - 1));
    }
    shards = List.copyOf(shards);
  }

  public long totalTokens() {
    return shards.stream().mapToLong(Entry::tokens).sum();
  }

  public long totalDocuments() {
    return shards.stream().mapToLong(Entry::documents).sum();
  }

  /** The shard files resolved against {@code dir}, in stream order. */
  public List<Path> files(Path dir) {
    return shards.stream().map(e -> dir.resolve(e.file())).toList();
  }

  /** Reads and checks {@code dir/index.json}; errors name the file and the key. */
  public static ShardIndex read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    JsonNode root;
    try {
      root = StrictJson.read(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": missing; " + dir
          + " is not a complete shard directory (an interrupted write leaves no index)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    root.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException(file + ": unknown key '" + k + "'; valid keys are "
            + KEYS.stream().sorted().toList());
      }
    });
    String format = root.path("format").asText("");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(file + ": key 'format' is '" + format + "', expected '"
          + FORMAT + "'");
    }
    long version = number(root, "version", file);
    if (version != ShardFormat.VERSION) {
      throw new IllegalArgumentException(file + ": key 'version' is " + version + ", expected "
          + ShardFormat.VERSION);
    }
    JsonNode list = root.get("shards");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(file + ": key 'shards' must be an array");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode s = list.get(i);
      String where = "shards[" + i + "]";
      JsonNode name = s.get("file");
      if (name == null || !name.isTextual()) {
        throw new IllegalArgumentException(file + ": key '" + where + ".file' must be a string");
      }
      long tokens = number(s, "tokens", file, where);
      long documents = number(s, "documents", file, where);
      try {
        entries.add(new Entry(name.asText(), tokens, documents));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + where + ": " + e.getMessage(), e);
      }
    }
    JsonNode hash = root.get("tokenizer_hash");
    long vocab = number(root, "vocab_size", file);
    long eot = number(root, "eot_id", file);
    ShardIndex index;
    try {
      index = new ShardIndex(Math.toIntExact(vocab), Math.toIntExact(eot),
          hash == null || hash.isNull() ? null : hash.asText(), entries);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(file + ": key 'vocab_size' (" + vocab + ") or 'eot_id' ("
          + eot + ") is beyond the int range", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    if (number(root, "tokens", file) != index.totalTokens()) {
      throw new IllegalArgumentException(file + ": key 'tokens' is " + root.get("tokens")
          + " but the shards add up to " + index.totalTokens());
    }
    return index;
  }

  /** Writes {@code dir/index.json} through a temporary file and an atomic rename. */
  void write(Path dir) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", ShardFormat.VERSION);
    root.put("vocab_size", vocabSize);
    root.put("eot_id", eotId);
    root.put("dtype", ShardFormat.Dtype.forVocab(vocabSize).name().toLowerCase());
    if (tokenizerHash != null) {
      root.put("tokenizer_hash", tokenizerHash);
    }
    root.put("tokens", totalTokens());
    root.put("documents", totalDocuments());
    ArrayNode list = root.putArray("shards");
    for (Entry e : shards) {
      list.addObject().put("file", e.file()).put("tokens", e.tokens())
          .put("documents", e.documents());
    }
    try {
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
      AtomicFiles.writeFile(dir.resolve(FILE_NAME), tmp -> Files.write(tmp, bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + dir.resolve(FILE_NAME), e);
    }
  }

  private static long number(JsonNode node, String key, Path file) {
    return number(node, key, file, null);
  }

  private static long number(JsonNode node, String key, Path file, String where) {
    JsonNode v = node.get(key);
    if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(file + ": key '" + (where == null ? "" : where + ".")
          + key + "' must be an integer, found " + v);
    }
    return v.asLong();
  }
}
