package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * A tokenizer as Hugging Face's {@code tokenizer.json} describes it: added tokens, normalizer,
 * pre-tokenizer, model (BPE or Unigram), post-processor and decoder, giving the ids Hugging Face's
 * own library gives. Immutable and safe to share between threads.
 *
 * <pre>{@code
 * PipelineTokenizer tok = Tokenizers.load(Path.of("Llama-2-7b/"));   // or tokenizer.json(.gz)
 * int[] ids  = tok.encode("Hello world", true);       // HF encode(text, add_special_tokens=False)
 * int[] full = tok.encodeWithSpecialTokens("Hello");  // HF encode(text): [1, 15043]
 * int[] pair = tok.encodePair("Question", "Answer", true);
 * String s   = tok.decode(ids);                       // HF decode(ids, skip_special_tokens=False)
 * }</pre>
 *
 * <p>The three ways to encode one text differ only in special tokens: {@link #encode(String)}
 * treats special tokens written in the text as plain text (safe for untrusted documents; Hugging
 * Face's {@code encode_special_tokens}); {@link #encode(String, boolean) encode(text, true)}
 * recognises them, as Hugging Face's {@code encode(text, add_special_tokens=False)} does; {@link
 * #encodeWithSpecialTokens} also applies the post-processor (BOS/EOS), Hugging Face's {@code
 * encode(text)}. Non-special added tokens are always recognised. Offsets, truncation and padding
 * are not computed: this is a tokenizer for training data, which needs ids.
 */
public final class PipelineTokenizer implements Tokenizer {
  private final AddedTokens added;
  private final UnaryOperator<String> normalizer;
  private final PiecePass preTokenizer;
  /** Set when the pipeline is plain byte-level BPE: split, then BPE straight on UTF-8 bytes. */
  private final PreTokenizer byteSplitter;
  private final PieceModel model;
  private final PostProcessor postProcessor;
  private final Decoder decoder;
  private final String endOfText;
  private final JsonNode json;
  private final int vocabSize;

  /**
   * Assembles a pipeline; {@code null} normalizer, pre-tokenizer, post-processor or decoder means
   * that step is absent, as a {@code null} in {@code tokenizer.json}.
   *
   * @param byteSplitter the splitter of a plain byte-level pre-tokenizer (same pieces as {@code
   *     preTokenizer}, before the byte spelling), or {@code null}
   * @param configEos the {@code eos_token} of {@code tokenizer_config.json}, the document separator
   *     when none of the usual end-of-text tokens exists; may be {@code null}
   * @param json the {@code tokenizer.json} this pipeline is, written back by {@link #save}
   */
  PipelineTokenizer(List<AddedTokens.Token> addedTokens, UnaryOperator<String> normalizer,
      PiecePass preTokenizer, PreTokenizer byteSplitter, PieceModel model, PostProcessor postProcessor,
      Decoder decoder, String configEos, JsonNode json) {
    this.normalizer = normalizer == null ? UnaryOperator.identity() : normalizer;
    this.preTokenizer = preTokenizer;
    this.byteSplitter = byteSplitter != null && model instanceof BpePieceModel bpe && bpe.encodesBytes()
        ? byteSplitter : null;
    this.model = model;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
    this.json = json;
    this.added = new AddedTokens(addedTokens, this.normalizer);
    int size = model.size();
    for (AddedTokens.Token t : addedTokens) {
      size = Math.max(size, t.id() + 1);
    }
    this.vocabSize = size;
    String named = findEndOfText();
    this.endOfText = named != null ? named
        : configEos != null && tokenToId(configEos).isPresent() ? configEos : null;
  }

  private String findEndOfText() {
    for (String name : List.of("<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|end|>")) {
      if (specialTokenId(name).isPresent()) {
        return name;
      }
    }
    return null;
  }

  @Override
  public int[] encode(String text, boolean allowSpecialTokens) {
    return sequence(text, allowSpecialTokens).toArray();
  }

  /** Hugging Face's {@code encode(text)}: special tokens recognised and added by the post-processor. */
  @Override
  public int[] encodeWithSpecialTokens(String text) {
    return process(List.of(encode(text, true)), true);
  }

  /**
   * A pair of texts (question and answer, for example), each encoded with special tokens recognised,
   * joined by the post-processor's pair template; Hugging Face's {@code encode((first, second), add)}.
   */
  public int[] encodePair(String first, String second, boolean addSpecialTokens) {
    return process(List.of(encode(first, true), encode(second, true)), addSpecialTokens);
  }

  private int[] process(List<int[]> sequences, boolean addSpecialTokens) {
    List<int[]> out = postProcessor == null ? sequences : postProcessor.process(sequences, addSpecialTokens);
    IntList all = new IntList(64);
    out.forEach(all::addAll);
    return all.toArray();
  }

  private IntList sequence(String text, boolean matchSpecial) {
    IntList out = new IntList(text.length() / 3 + 8);
    added.split(text, normalizer, matchSpecial, new AddedTokens.Sections() {
      @Override
      public void text(String section, boolean first) {
        if (byteSplitter != null) {
          BpePieceModel bpe = (BpePieceModel) model;
          byteSplitter.split(section, 0, section.length(), (s, e) -> bpe.encodeBytes(section, s, e, out));
        } else if (preTokenizer == null) {
          model.encode(section, out);
        } else {
          preTokenizer.apply(section, first, (piece, f) -> model.encode(piece, out));
        }
      }

      @Override
      public void token(int id) {
        out.add(id);
      }
    });
    return out;
  }

  @Override
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  /** Hugging Face's {@code decode(ids, skip_special_tokens)}. */
  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      AddedTokens.Token t = added.byId(id);
      if (t != null) {
        if (!(skipSpecialTokens && t.special())) {
          tokens.add(t.content());
        }
        continue;
      }
      String token = model.token(id);
      if (token == null) {
        throw BpeTokenizer.unknownId(id, vocabSize);
      }
      tokens.add(token);
    }
    return decoder == null ? String.join(" ", tokens) : String.join("", decoder.decode(tokens));
  }

  /** The id of a token of the vocabulary or of the added tokens, as Hugging Face's {@code token_to_id}. */
  public OptionalInt tokenToId(String token) {
    for (AddedTokens.Token t : added.tokens()) {
      if (t.content().equals(token)) {
        return OptionalInt.of(t.id());
      }
    }
    int id = model.id(token);
    return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
  }

  /** The token of an id as Hugging Face's {@code id_to_token}, or {@code null}. */
  public String idToToken(int id) {
    AddedTokens.Token t = added.byId(id);
    return t != null ? t.content() : model.token(id);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public OptionalInt specialTokenId(String token) {
    for (AddedTokens.Token t : added.tokens()) {
      if (t.special() && t.content().equals(token)) {
        return OptionalInt.of(t.id());
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public List<String> specialTokens() {
    return added.tokens().stream().filter(AddedTokens.Token::special).map(AddedTokens.Token::content).toList();
  }

  /**
   * The id placed between documents: the first special token among {@code <|endoftext|>}, {@code
   * <|end_of_text|>}, {@code </s>}, {@code <eos>}, {@code <|end|>}, else the {@code eos_token} of
   * the model's {@code tokenizer_config.json}.
   */
  @Override
  public int endOfTextId() {
    if (endOfText == null) {
      throw new IllegalStateException("tokenizer has none of the special tokens <|endoftext|>, "
          + "<|end_of_text|>, </s>, <eos>, <|end|> and no tokenizer_config.json eos_token; special tokens: "
          + specialTokens());
    }
    return tokenToId(endOfText).getAsInt();
  }

  /** Writes this tokenizer as a Hugging Face {@code tokenizer.json}. */
  public void save(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      TokenizerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, json);
    }
  }

  @Override
  public String toString() {
    return "PipelineTokenizer[vocab=" + vocabSize + ", model=" + json.path("model").path("type").asText()
        + ", special=" + specialTokens() + "]";
  }
}
