package dev.llmj.data.shard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An exact place in a {@link PackingIterator}: the next batch starts at window {@code window} of
 * epoch {@code epoch}. The remaining fields describe the iterator it came from, so that restoring
 * into a differently configured iterator fails instead of silently replaying other data. Stored as
 * one line of {@code key=value} pairs, for instance inside a checkpoint:
 *
 * <pre>{@code
 * String saved = it.position().encode();
 * // split=train,epoch=1,window=48,seed=42,shuffle=true,windows=1234,seqLen=256
 * it.restore(PackingPosition.parse(saved));
 * }</pre>
 *
 * @param split "train" or "validation"
 * @param epoch the epoch of the next batch; equal to the epoch count once the iterator is done
 * @param window index of the next window in this epoch's visiting order
 * @param seed the shuffling seed
 * @param shuffle whether windows are visited in shuffled order
 * @param windows windows per epoch of the iterator
 * @param seqLen T of the iterator
 */
public record PackingPosition(String split, int epoch, int window, long seed, boolean shuffle,
    int windows, int seqLen) {
  static final String TRAIN = "train";
  static final String VALIDATION = "validation";
  private static final List<String> KEYS =
      List.of("split", "epoch", "window", "seed", "shuffle", "windows", "seqLen");

  public PackingPosition {
    if (!TRAIN.equals(split) && !VALIDATION.equals(split)) {
      throw new IllegalArgumentException("split is '" + split + "', expected 'train' or "
          + "'validation'");
    }
    if (epoch < 0 || window < 0 || windows < 0 || seqLen < 1) {
      throw new IllegalArgumentException("position has a negative epoch, window or window count,"
          + " or seqLen < 1: epoch=" + epoch + " window=" + window + " windows=" + windows
          + " seqLen=" + seqLen);
    }
  }

  /** The one-line form read back by {@link #parse}. */
  public String encode() {
    return "split=" + split + ",epoch=" + epoch + ",window=" + window + ",seed=" + seed
        + ",shuffle=" + shuffle + ",windows=" + windows + ",seqLen=" + seqLen;
  }

  @Override
  public String toString() {
    return encode();
  }

  /** Parses {@link #encode()}'s form; errors name the key and the offending text. */
  public static PackingPosition parse(String text) {
    Objects.requireNonNull(text, "text");
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : text.strip().split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("position '" + text + "': expected key=value, found '"
            + part + "'");
      }
      String key = part.substring(0, eq).strip();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("position '" + text + "': unknown key '" + key
            + "'; valid keys are " + KEYS);
      }
      if (kv.put(key, part.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException("position '" + text + "': key '" + key
            + "' appears twice");
      }
    }
    for (String k : KEYS) {
      if (!kv.containsKey(k)) {
        throw new IllegalArgumentException("position '" + text + "': missing key '" + k + "'");
      }
    }
    String shuffle = kv.get("shuffle");
    if (!shuffle.equals("true") && !shuffle.equals("false")) {
      throw new IllegalArgumentException("position '" + text + "': key 'shuffle' is '" + shuffle
          + "', expected true or false");
    }
    return new PackingPosition(kv.get("split"), integer(kv, "epoch", text),
        integer(kv, "window", text), number(kv, "seed", text), Boolean.parseBoolean(shuffle),
        integer(kv, "windows", text), integer(kv, "seqLen", text));
  }

  private static int integer(Map<String, String> kv, String key, String text) {
    long v = number(kv, key, text);
    if (v != (int) v) {
      throw new IllegalArgumentException("position '" + text + "': key '" + key + "' is " + v
          + ", beyond the int range");
    }
    return (int) v;
  }

  private static long number(Map<String, String> kv, String key, String text) {
    try {
      return Long.parseLong(kv.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("position '" + text + "': key '" + key + "' is '"
          + kv.get(key) + "', expected an integer", e);
    }
  }
}
