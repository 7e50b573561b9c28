package dev.llmj.data.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trains a BPE tokenizer from a stream of documents: count pre-tokenized words in parallel, then
 * merge the most frequent adjacent pair until the vocabulary is full. Two shapes, the two that
 * open models use: byte-level (GPT-2, Llama 3, Qwen: a split pattern, then merges over UTF-8
 * bytes) and Metaspace (Llama 2, Mistral, Gemma: spaces become {@code ▁}, merges over characters,
 * rare characters fall back to {@code <0xNN>} byte tokens).
 *
 * <pre>{@code
 * BpeTrainer.Config config = BpeTrainer.Config.of(8192).withPattern(BpeTrainer.LLAMA3_PATTERN);
 * BpeTokenizer tok = new BpeTrainer(config).train(texts.iterator());
 * tok.save(Path.of("tokenizer.json"));
 *
 * PipelineTokenizer sp = new BpeTrainer(BpeTrainer.Config.metaspace(8192)).trainPipeline(texts.iterator());
 * sp.save(Path.of("tokenizer.json"));   // loads in Hugging Face's library with the same ids
 * }</pre>
 *
 * <p>Ids: 0..255 are the single bytes (id = byte value), then one id per merge in the order
 * learned, then the special tokens. The result is deterministic: the same documents and config
 * give a byte-identical {@code tokenizer.json} for any thread count.
 */
public final class BpeTrainer {
  /** GPT-2's pre-tokenization pattern, the default. */
  public static final String GPT2_PATTERN = Gpt2PreTokenizer.PATTERN;

  /** Llama 3's (and GPT-4's cl100k) pattern: case-insensitive contractions, numbers of up to 3 digits. */
  public static final String LLAMA3_PATTERN = Cl100kPreTokenizer.LLAMA3;

  /** The two shapes of BPE tokenizer. */
  public enum Style {
    /** Split by {@code pattern}, merges over UTF-8 bytes (GPT-2, Llama 3, Qwen). */
    BYTE_LEVEL,
    /** Spaces become {@code ▁} (prefixed to each document), merges over characters, byte fallback (Llama 2, Mistral). */
    METASPACE
  }

  /**
   * Training settings.
   *
   * @param vocabSize ids in the result: 256 bytes + merges + special tokens; fewer if the text
   *     runs out of pairs that pass {@code minFrequency}
   * @param minFrequency a pair seen fewer times is never merged; 2 by default, since merging a
   *     pair seen once memorizes instead of compressing
   * @param specialTokens added after the merges, never learned from text; default {@code [<|endoftext|>]}
   * @param threads word-counting threads; default all cores (the result does not depend on it)
   * @param pattern pre-tokenization regular expression (as written in {@code tokenizer.json});
   *     default {@link #GPT2_PATTERN}; byte-level only
   * @param style byte-level (default) or Metaspace; see {@link #metaspace}
   */
  public record Config(int vocabSize, int minFrequency, List<String> specialTokens, int threads,
      String pattern, Style style) {
    public Config {
      if (specialTokens == null) {
        throw new IllegalArgumentException("specialTokens is null; pass List.of() for none");
      }
      specialTokens = List.copyOf(specialTokens);
      if (specialTokens.stream().distinct().count() != specialTokens.size()
          || specialTokens.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("specialTokens " + specialTokens
            + " has an empty or repeated token; list each special token once");
      }
      int least = 256 + specialTokens.size();
      if (vocabSize < least || vocabSize > ModelBuilder.MAX_ID) {
        throw new IllegalArgumentException("vocabSize " + vocabSize + " is outside [" + least + ", "
            + ModelBuilder.MAX_ID + "]: it counts 256 byte tokens + " + specialTokens.size()
            + " special tokens + the merges to learn");
      }
      if (minFrequency < 1) {
        throw new IllegalArgumentException("minFrequency " + minFrequency + " must be >= 1");
      }
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads " + threads + " must be in [1, 1024]");
      }
      if (pattern == null || pattern.isEmpty()) {
        throw new IllegalArgumentException("pattern is empty; use BpeTrainer.GPT2_PATTERN");
      }
      PreTokenizer.forPattern(pattern); // fails here, naming the pattern error, rather than mid-training
      if (style == null) {
        throw new IllegalArgumentException("style is null; use Style.BYTE_LEVEL or Style.METASPACE");
      }
    }

    /** Byte-level defaults for the given vocabulary size: GPT-2's pattern, {@code <|endoftext|>}. */
    public static Config of(int vocabSize) {
      return new Config(vocabSize, 2, List.of(Gpt2Files.END_OF_TEXT),
          Runtime.getRuntime().availableProcessors(), GPT2_PATTERN, Style.BYTE_LEVEL);
    }

    /**
     * Metaspace defaults, as Llama 2's tokenizer: special tokens {@code <unk>} (id 0, the unknown
     * token), {@code <s>}, {@code </s>}, then the 256 {@code <0xNN>} byte tokens, then characters
     * and merges.
     */
    public static Config metaspace(int vocabSize) {
      return of(vocabSize).withStyle(Style.METASPACE).withSpecialTokens(List.of("<unk>", "<s>", "</s>"));
    }

    public Config withMinFrequency(int v) {
      return new Config(vocabSize, v, specialTokens, threads, pattern, style);
    }

    public Config withSpecialTokens(List<String> v) {
      return new Config(vocabSize, minFrequency, v, threads, pattern, style);
    }

    public Config withThreads(int v) {
      return new Config(vocabSize, minFrequency, specialTokens, v, pattern, style);
    }

    public Config withPattern(String v) {
      return new Config(vocabSize, minFrequency, specialTokens, threads, v, style);
    }

    public Config withStyle(Style v) {
      return new Config(vocabSize, minFrequency, specialTokens, threads, pattern, v);
    }
  }

  private final Config config;

  public BpeTrainer(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  public BpeTokenizer train(Stream<String> documents) {
    return train(documents.iterator());
  }

  /**
   * Trains a tokenizer of either style as a Hugging Face pipeline; {@link PipelineTokenizer#save}
   * writes the {@code tokenizer.json}.
   */
  public PipelineTokenizer trainPipeline(Iterator<String> documents) {
    return config.style() == Style.METASPACE ? MetaspaceTrainer.train(config, documents)
        : TokenizerJson.toPipeline(train(documents), "trained");
  }

  /** Trains a byte-level tokenizer; for the Metaspace style use {@link #trainPipeline}. */
  public BpeTokenizer train(Iterator<String> documents) {
    if (config.style() != Style.BYTE_LEVEL) {
      throw new UnsupportedOperationException("style " + config.style() + " trains a Hugging Face "
          + "pipeline; call trainPipeline instead of train");
    }
    PreTokenizer preTokenizer = PreTokenizer.forPattern(config.pattern());
    Map<Integer, String> byIndex = new HashMap<>();
    for (int i = 0; i < config.specialTokens().size(); i++) {
      byIndex.put(i, config.specialTokens().get(i));
    }
    Map<String, long[]> counts = new WordCounter(preTokenizer, new SpecialTokens(byIndex))
        .count(documents, config.threads());

    // Sorted so word indices, and everything after, are independent of hash and thread order.
    List<String> sorted = new ArrayList<>(counts.keySet());
    sorted.sort(null);
    int[][] words = new int[sorted.size()][];
    long[] wordCounts = new long[sorted.size()];
    byte[] buf = new byte[64];
    for (int w = 0; w < words.length; w++) {
      String word = sorted.get(w);
      if (buf.length < Utf8.maxBytes(word.length())) {
        buf = new byte[Utf8.maxBytes(word.length())];
      }
      int n = Utf8.encode(word, 0, word.length(), buf);
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = buf[i] & 0xFF;
      }
      words[w] = ids;
      wordCounts[w] = counts.get(word)[0];
    }
    counts = null; // the word strings are no longer needed while merging
    sorted = null;

    PairMerger merger = new PairMerger(PairMerger.bytes(), words, wordCounts);
    merger.run(config.vocabSize() - config.specialTokens().size(), config.minFrequency());

    List<byte[]> tokens = merger.tokens();
    Map<Integer, String> special = new HashMap<>();
    for (int i = 0; i < config.specialTokens().size(); i++) {
      special.put(tokens.size() + i, config.specialTokens().get(i));
    }
    BpeModel model = new BpeModel(tokens.toArray(new byte[0][]), merger.mergeLeft(),
        merger.mergeRight(), merger.mergeResult());
    return new BpeTokenizer(Normalizer.NONE, preTokenizer, model, new SpecialTokens(special));
  }
}
