package dev.llmj.data.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads tokenizers: any Hugging Face {@code tokenizer.json} of the open models (BPE or Unigram,
 * with its normalizer, pre-tokenizer, post-processor, decoder and added tokens), SentencePiece
 * {@code .model} files, tiktoken rank files and GPT-2's files.
 *
 * <pre>{@code
 * BpeTokenizer gpt2 = Tokenizers.gpt2();                                 // embedded GPT-2 (r50k_base)
 * PipelineTokenizer llama = Tokenizers.load(Path.of("Llama-3.1-8B/"));   // folder with tokenizer.json
 * PipelineTokenizer mine = Tokenizers.load(Path.of("tokenizer.json.gz"));
 * PipelineTokenizer orig = Tokenizers.load(Path.of("gpt2-files/"));      // encoder.json + vocab.bpe
 * PipelineTokenizer mistral = Tokenizers.load(Path.of("tokenizer.model")); // SentencePiece
 * BpeTokenizer gpt4o = Tokenizers.loadTiktoken(Path.of("o200k_base.tiktoken"), "o200k_base");
 * }</pre>
 *
 * To train one, see {@link BpeTrainer}; to save one, {@link PipelineTokenizer#save(Path)}.
 */
public final class Tokenizers {
  private static final String GPT2_DIR = "/dev/llmj/data/tokenizer/gpt2/";

  private Tokenizers() {}

  /**
   * GPT-2's tokenizer (50,257 ids, {@code <|endoftext|>} = 50256) from the copy of OpenAI's
   * {@code encoder.json} and {@code vocab.bpe} embedded in this library; loaded once, then shared.
   */
  public static BpeTokenizer gpt2() {
    return Gpt2Holder.INSTANCE;
  }

  private static final class Gpt2Holder {
    static final BpeTokenizer INSTANCE = loadGpt2();

    private static BpeTokenizer loadGpt2() {
      try (InputStream enc = resource("encoder.json"); InputStream bpe = resource("vocab.bpe")) {
        return Gpt2Files.read(enc, "classpath:" + GPT2_DIR + "encoder.json",
            bpe, "classpath:" + GPT2_DIR + "vocab.bpe");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the embedded GPT-2 tokenizer", e);
      }
    }

    private static InputStream resource(String name) {
      InputStream in = Tokenizers.class.getResourceAsStream(GPT2_DIR + name);
      if (in == null) {
        throw new IllegalStateException("classpath resource " + GPT2_DIR + name
            + " is missing; is the llm-data jar complete?");
      }
      return in;
    }
  }

  /**
   * Loads a tokenizer: a Hugging Face {@code tokenizer.json} (or {@code tokenizer.json.gz}), a
   * SentencePiece {@code tokenizer.model} (BPE or Unigram), a model folder holding one of them, a
   * folder with GPT-2's {@code encoder.json} and {@code vocab.bpe}, or a tiktoken rank file ({@code cl100k_base.tiktoken}, {@code o200k_base.tiktoken},
   * {@code r50k_base.tiktoken}, {@code p50k_base.tiktoken}: the name tells the split pattern and
   * special tokens; {@link #loadTiktoken} takes other names). The end-of-text id placed between
   * documents is that of {@code <|endoftext|>},
   * {@code <|end_of_text|>}, {@code </s>}, {@code <eos>} or {@code <|end|>} (the first present), else
   * the {@code eos_token} of a {@code tokenizer_config.json} beside the file.
   *
   * @throws IllegalArgumentException for malformed or inconsistent files, naming file and JSON path
   * @throws UnsupportedOperationException for components or options this library does not
   *     implement, naming the JSON path, the value and the supported ones
   */
  public static PipelineTokenizer load(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      for (String name : new String[] {"tokenizer.json", "tokenizer.json.gz"}) {
        Path json = path.resolve(name);
        if (Files.isRegularFile(json)) {
          return TokenizerJson.read(json, configEos(path));
        }
      }
      Path spm = path.resolve("tokenizer.model");
      if (Files.isRegularFile(spm)) {
        return SentencePieceFile.read(spm);
      }
      Path encoder = path.resolve("encoder.json");
      Path merges = path.resolve("vocab.bpe");
      if (Files.isRegularFile(encoder) && Files.isRegularFile(merges)) {
        try (InputStream e = Files.newInputStream(encoder); InputStream m = Files.newInputStream(merges)) {
          return TokenizerJson.toPipeline(Gpt2Files.read(e, encoder.toString(), m, merges.toString()),
              path.toString());
        }
      }
      throw new IllegalArgumentException("folder " + path + " holds neither tokenizer.json(.gz), "
          + "tokenizer.model nor encoder.json + vocab.bpe; point to a folder with one of them or to the file itself");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("tokenizer file " + path + " does not exist");
    }
    if (path.getFileName().toString().endsWith(".model")) {
      return SentencePieceFile.read(path);
    }
    if (path.getFileName().toString().endsWith(".tiktoken")) {
      return TokenizerJson.toPipeline(TiktokenFile.read(path, TiktokenFile.encodingOf(path)), path.toString());
    }
    Path parent = path.toAbsolutePath().getParent();
    return TokenizerJson.read(path, parent == null ? null : configEos(parent));
  }

  /** The {@code eos_token} of a model folder's {@code tokenizer_config.json}, or {@code null}. */
  private static String configEos(Path folder) throws IOException {
    Path config = folder.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(config)) {
      return null;
    }
    com.fasterxml.jackson.databind.JsonNode root;
    try (InputStream in = Files.newInputStream(config)) {
      root = TokenizerJson.parse(in, config.toString());
    }
    com.fasterxml.jackson.databind.JsonNode eos = root.path("eos_token");
    return eos.isTextual() ? eos.asText() : eos.path("content").isTextual() ? eos.path("content").asText() : null;
  }

  /**
   * Loads a tiktoken rank file (base64 token and rank per line) as the named encoding's byte-level
   * BPE tokenizer, with that encoding's split pattern and special tokens: {@code "cl100k_base"}
   * (GPT-4), {@code "o200k_base"} (GPT-4o), {@code "r50k_base"} or {@code "p50k_base"}. The
   * result encodes with a scanner for the split pattern and merges on bytes, without the general
   * pipeline's steps: the fastest form of these tokenizers ({@link #load} gives the same ids).
   *
   * @throws IllegalArgumentException for an unknown encoding or a malformed file, naming the line
   */
  public static BpeTokenizer loadTiktoken(Path file, String encoding) throws IOException {
    return TiktokenFile.read(file, TiktokenFile.encoding(encoding));
  }
}
