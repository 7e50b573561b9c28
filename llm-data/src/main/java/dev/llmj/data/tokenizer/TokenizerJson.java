package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hugging Face {@code tokenizer.json} files: reads them (plain or gzip'd) into a {@link
 * PipelineTokenizer} through {@link PipelineJson}, and writes a byte-level {@link BpeTokenizer}
 * (Split by its pattern, ByteLevel, BPE, special added tokens).
 */
final class TokenizerJson {
  // Vocabularies have ~50k distinct keys read once: interning them as field names only costs time.
  static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private TokenizerJson() {}

  /**
   * Reads a {@code tokenizer.json}, or {@code tokenizer.json.gz} when the name ends in {@code .gz}.
   *
   * @param configEos the {@code eos_token} of {@code tokenizer_config.json}, or {@code null}
   */
  static PipelineTokenizer read(Path file, String configEos) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().endsWith(".gz")
            ? new java.util.zip.GZIPInputStream(raw, 1 << 16) : raw) {
      return PipelineJson.build(parse(in, file.toString()), file.toString(), configEos);
    }
  }

  /** The same tokenizer as a Hugging Face pipeline, through its {@code tokenizer.json}. */
  static PipelineTokenizer toPipeline(BpeTokenizer tok, String source) {
    try {
      java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
      try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
        write(tok, g);
      }
      return PipelineJson.build(MAPPER.readTree(buf.toByteArray()), source, null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static JsonNode parse(InputStream in, String source) throws IOException {
    try {
      JsonNode root = MAPPER.readTree(in);
      if (root == null || root.isMissingNode()) {
        throw new IllegalArgumentException(source + ": empty file, expected JSON");
      }
      return root;
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new IllegalArgumentException(source + ": malformed JSON" + at + ": " + e.getOriginalMessage(), e);
    }
  }

  static void write(BpeTokenizer tok, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
      write(tok, g);
    }
  }

  private static void write(BpeTokenizer tok, JsonGenerator g) throws IOException {
    BpeModel model = tok.model();
    SpecialTokens specials = tok.specials();
    g.writeStartObject();
    g.writeStringField("version", "1.0");
    g.writeNullField("truncation");
    g.writeNullField("padding");
    g.writeArrayFieldStart("added_tokens");
    for (int i = 0; i < specials.size(); i++) {
      g.writeStartObject();
      g.writeNumberField("id", specials.id(i));
      g.writeStringField("content", specials.content(i));
      g.writeBooleanField("single_word", false);
      g.writeBooleanField("lstrip", false);
      g.writeBooleanField("rstrip", false);
      g.writeBooleanField("normalized", false);
      g.writeBooleanField("special", true);
      g.writeEndObject();
    }
    g.writeEndArray();
    if (tok.normalizer().jsonType == null) {
      g.writeNullField("normalizer");
    } else {
      g.writeObjectFieldStart("normalizer");
      g.writeStringField("type", tok.normalizer().jsonType);
      g.writeEndObject();
    }
    g.writeFieldName("pre_tokenizer");
    if (tok.preTokenizer() == Gpt2PreTokenizer.INSTANCE) {
      writeByteLevel(g, true);
    } else {
      g.writeStartObject();
      g.writeStringField("type", "Sequence");
      g.writeArrayFieldStart("pretokenizers");
      g.writeStartObject();
      g.writeStringField("type", "Split");
      g.writeObjectFieldStart("pattern");
      g.writeStringField("Regex", tok.preTokenizer().pattern());
      g.writeEndObject();
      g.writeStringField("behavior", "Isolated");
      g.writeBooleanField("invert", false);
      g.writeEndObject();
      writeByteLevel(g, false);
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeFieldName("post_processor");
    writeByteLevel(g, true);
    g.writeFieldName("decoder");
    writeByteLevel(g, true);
    g.writeObjectFieldStart("model");
    g.writeStringField("type", "BPE");
    g.writeNullField("dropout");
    g.writeNullField("unk_token");
    g.writeStringField("continuing_subword_prefix", "");
    g.writeStringField("end_of_word_suffix", "");
    g.writeBooleanField("fuse_unk", false);
    g.writeBooleanField("byte_fallback", false);
    g.writeObjectFieldStart("vocab");
    for (int id = 0; id < tok.vocabSize(); id++) {
      byte[] b = model.bytes(id);
      if (b != null) {
        g.writeNumberField(ByteLevel.toText(b), id);
      }
    }
    for (int i = 0; i < specials.size(); i++) {
      g.writeNumberField(specials.content(i), specials.id(i)); // HF keeps special tokens in the vocab too
    }
    g.writeEndObject();
    g.writeArrayFieldStart("merges");
    for (int r = 0; r < model.mergeCount(); r++) {
      g.writeString(ByteLevel.toText(model.bytes(model.mergeLeft(r))) + " "
          + ByteLevel.toText(model.bytes(model.mergeRight(r))));
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeByteLevel(JsonGenerator g, boolean useRegex) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", "ByteLevel");
    g.writeBooleanField("add_prefix_space", false);
    g.writeBooleanField("trim_offsets", true);
    g.writeBooleanField("use_regex", useRegex);
    g.writeEndObject();
  }
}
