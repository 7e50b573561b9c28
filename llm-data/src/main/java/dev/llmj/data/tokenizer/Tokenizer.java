package dev.llmj.data.tokenizer;

import java.util.List;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Implementations are immutable and safe to share between threads.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizers.load(Path.of("tokenizer.json"));
 * int[] ids = tok.encode("Hello world");
 * String back = tok.decode(ids);          // "Hello world"
 * }</pre>
 */
public interface Tokenizer {

  /** Encodes text; special tokens in the text are treated as ordinary text. */
  default int[] encode(String text) {
    return encode(text, false);
  }

  /** Encodes text, recognising the given special tokens (for example {@code <|endoftext|>}). */
  int[] encode(String text, boolean allowSpecialTokens);

  /**
   * Encodes text for a model input: special tokens in the text are recognised and the
   * tokenizer's post-processor adds its own (for example a BOS token), as Hugging Face's {@code
   * encode(text, add_special_tokens=True)}. Tokenizers without a post-processor add nothing.
   */
  default int[] encodeWithSpecialTokens(String text) {
    return encode(text, true);
  }

  /** Decodes ids back to text; throws {@link IllegalArgumentException} naming any unknown id. */
  String decode(int[] ids);

  /** Decodes ids, leaving out special tokens if asked (Hugging Face's {@code skip_special_tokens}). */
  default String decode(int[] ids, boolean skipSpecialTokens) {
    if (!skipSpecialTokens) {
      return decode(ids);
    }
    List<String> special = specialTokens();
    return decode(java.util.Arrays.stream(ids)
        .filter(id -> special.stream().noneMatch(t -> specialTokenId(t).orElse(-1) == id)).toArray());
  }

  /** Encodes each text (special tokens as plain text) using all cores; results in input order. */
  default List<int[]> encodeBatch(List<String> texts) {
    List<int[]> out = new java.util.ArrayList<>(texts.size());
    encodeAll(texts.iterator(), Runtime.getRuntime().availableProcessors(), out::add);
    return out;
  }

  /**
   * Encodes a stream of documents (special tokens as plain text) on {@code threads} threads and
   * passes each result to {@code sink} in input order, on the calling thread. Reads ahead only a
   * bounded number of documents, so the stream may be larger than memory.
   */
  default void encodeAll(java.util.Iterator<String> texts, int threads, java.util.function.Consumer<int[]> sink) {
    CorpusEncoder.encodeAll(this::encode, texts, threads, sink);
  }

  /** Number of ids: the largest id plus one. */
  int vocabSize();

  /** The id of a special token such as {@code <|endoftext|>}, if this vocabulary has it. */
  OptionalInt specialTokenId(String token);

  /** The special tokens of this vocabulary, in id order. */
  List<String> specialTokens();

  /** The end-of-text id placed between documents when packing; fails if the vocabulary has none. */
  default int endOfTextId() {
    return specialTokenId("<|endoftext|>")
        .orElseThrow(() -> new IllegalStateException(
            "tokenizer has no <|endoftext|> special token; train or load one with it"));
  }
}
