package dev.llmj.data.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads tiktoken rank files ({@code cl100k_base.tiktoken}, {@code o200k_base.tiktoken}, ...): one
 * line per token, its bytes in base64, a space, its rank, which is also its id. A file holds
 * neither the split pattern nor the special tokens; they come from the published encoding the
 * file belongs to, named by the file name or given explicitly.
 *
 * <p>tiktoken merges the adjacent pair whose concatenation has the lowest rank; as a BPE model
 * that is, for every token, each split into two tokens as a merge with the token's rank as
 * priority.
 */
final class TiktokenFile {
  /** A published encoding: its split pattern and special tokens. */
  record Encoding(String name, String pattern, Map<String, Integer> specials) {}

  static final Map<String, Encoding> ENCODINGS = Map.of(
      "r50k_base", new Encoding("r50k_base", Gpt2PreTokenizer.PATTERN, Map.of("<|endoftext|>", 50256)),
      "p50k_base", new Encoding("p50k_base", Gpt2PreTokenizer.PATTERN, Map.of("<|endoftext|>", 50256)),
      "cl100k_base", new Encoding("cl100k_base", Cl100kPreTokenizer.LLAMA3, Map.of("<|endoftext|>", 100257,
          "<|fim_prefix|>", 100258, "<|fim_middle|>", 100259, "<|fim_suffix|>", 100260,
          "<|endofprompt|>", 100276)),
      "o200k_base", new Encoding("o200k_base", O200kPreTokenizer.PATTERN,
          Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018)));

  private static final String SUFFIX = ".tiktoken";

  private TiktokenFile() {}

  /** The encoding a rank file belongs to, from its name ({@code o200k_base.tiktoken}). */
  static Encoding encodingOf(Path file) {
    String name = file.getFileName().toString();
    String base = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    Encoding e = ENCODINGS.get(base);
    if (e == null) {
      throw new IllegalArgumentException("rank file " + file + ": cannot tell its split pattern and special "
          + "tokens from the name \"" + name + "\"; known encodings are " + new TreeMap<>(ENCODINGS).keySet()
          + ": rename the file to one of them + " + SUFFIX + " or name the encoding: "
          + "Tokenizers.loadTiktoken(file, \"o200k_base\")");
    }
    return e;
  }

  static Encoding encoding(String name) {
    Encoding e = ENCODINGS.get(name);
    if (e == null) {
      throw new IllegalArgumentException("unknown tiktoken encoding \"" + name + "\"; known encodings are "
          + new TreeMap<>(ENCODINGS).keySet());
    }
    return e;
  }

  static BpeTokenizer read(Path file, Encoding encoding) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString(), encoding);
    }
  }

  static BpeTokenizer read(InputStream in, String source, Encoding encoding) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
    Map<String, Integer> rankOf = new HashMap<>(1 << 18); // ISO-8859-1 maps bytes to chars one to one
    byte[][] tokens = new byte[1 << 16][];
    int size = 0;
    Base64.Decoder base64 = Base64.getDecoder();
    int lineNo = 0;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      int sp = line.indexOf(' ');
      if (sp <= 0 || line.indexOf(' ', sp + 1) >= 0) {
        throw bad(source, lineNo, "expected a base64 token, one space and a rank, got \"" + clip(line) + "\"");
      }
      byte[] bytes;
      int rank;
      try {
        bytes = base64.decode(line.substring(0, sp));
      } catch (IllegalArgumentException e) {
        throw bad(source, lineNo, "token \"" + clip(line.substring(0, sp)) + "\" is not base64: " + e.getMessage());
      }
      try {
        rank = Integer.parseInt(line.substring(sp + 1));
      } catch (NumberFormatException e) {
        throw bad(source, lineNo, "rank \"" + clip(line.substring(sp + 1)) + "\" is not an integer");
      }
      if (rank < 0 || rank >= ModelBuilder.MAX_ID) {
        throw bad(source, lineNo, "rank " + rank + " is outside [0, " + ModelBuilder.MAX_ID + ")");
      }
      if (bytes.length == 0) {
        throw bad(source, lineNo, "token of rank " + rank + " is empty");
      }
      if (rank >= tokens.length) {
        tokens = Arrays.copyOf(tokens, Math.max(rank + 1, tokens.length * 2));
      }
      if (tokens[rank] != null) {
        throw bad(source, lineNo, "rank " + rank + " is given twice; each rank names one token");
      }
      Integer other = rankOf.putIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), rank);
      if (other != null) {
        throw bad(source, lineNo, "the token of rank " + rank + " repeats the token of rank " + other);
      }
      tokens[rank] = bytes;
      size = Math.max(size, rank + 1);
    }
    tokens = Arrays.copyOf(tokens, size);
    for (Map.Entry<String, Integer> e : encoding.specials().entrySet()) {
      if (e.getValue() < size && tokens[e.getValue()] != null) {
        throw new IllegalArgumentException(source + ": special token " + e.getKey() + " of " + encoding.name()
            + " has id " + e.getValue() + ", which this file gives to an ordinary token; is the file "
            + encoding.name() + "'s?");
      }
    }
    Merges m = merges(tokens, rankOf);
    Map<Integer, String> specialById = new HashMap<>();
    encoding.specials().forEach((content, id) -> specialById.put(id, content));
    try {
      BpeModel model = new BpeModel(tokens, m.left, m.right, m.result, m.priority);
      return new BpeTokenizer(Normalizer.NONE, PreTokenizer.forPattern(encoding.pattern()), model,
          new SpecialTokens(specialById));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private record Merges(int[] left, int[] right, int[] result, int[] priority) {}

  /** Every split of every token into two tokens, in rank order of the merged token. */
  private static Merges merges(byte[][] tokens, Map<String, Integer> rankOf) {
    IntList left = new IntList(tokens.length * 2);
    IntList right = new IntList(tokens.length * 2);
    IntList result = new IntList(tokens.length * 2);
    for (int id = 0; id < tokens.length; id++) {
      byte[] t = tokens[id];
      if (t == null || t.length < 2) {
        continue;
      }
      String s = new String(t, StandardCharsets.ISO_8859_1);
      for (int k = 1; k < s.length(); k++) {
        Integer a = rankOf.get(s.substring(0, k));
        if (a == null) {
          continue;
        }
        Integer b = rankOf.get(s.substring(k));
        if (b != null) {
          left.add(a);
          right.add(b);
          result.add(id);
        }
      }
    }
    int[] res = result.toArray();
    return new Merges(left.toArray(), right.toArray(), res, res);
  }

  private static IllegalArgumentException bad(String source, int line, String what) {
    return new IllegalArgumentException(source + " line " + line + ": " + what);
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
