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
  int[] encode(String text);

  /** Encodes text, recognising the given special tokens (for example {@code <|endoftext|>}). */
  int[] encode(String text, boolean allowSpecialTokens);

  /** Decodes ids back to text; throws {@link IllegalArgumentException} naming any unknown id. */
  String decode(int[] ids);

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
