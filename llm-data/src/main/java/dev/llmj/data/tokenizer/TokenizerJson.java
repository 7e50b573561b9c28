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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face {@code tokenizer.json} for byte-level BPE: model {@code BPE} with
 * {@code vocab} and {@code merges} (as {@code "a b"} strings or {@code ["a", "b"]} pairs),
 * pre-tokenizer {@code ByteLevel} (or a {@code Split} regex followed by {@code ByteLevel} without
 * regex), decoder {@code ByteLevel}, and {@code added_tokens} marked {@code special}.
 */
final class TokenizerJson {
  // Vocabularies have ~50k distinct keys read once: interning them as field names only costs time.
  static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private TokenizerJson() {}

  static BpeTokenizer read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  static BpeTokenizer read(InputStream in, String source) throws IOException {
    JsonNode root = parse(in, source);
    if (!root.isObject()) {
      throw bad(source, "<root>", "expected a JSON object, got " + root.getNodeType());
    }
    Normalizer normalizer = normalizer(root.get("normalizer"), source);
    PreTokenizer preTokenizer = preTokenizer(root.get("pre_tokenizer"), source);
    checkType(root.get("decoder"), "decoder", "ByteLevel", source);
    JsonNode post = root.get("post_processor");
    if (post != null && !post.isNull()) {
      checkType(post, "post_processor", "ByteLevel", source);
    }
    JsonNode model = object(root, "model", source);
    checkType(model, "model", "BPE", source);
    rejectUnless(model, "dropout", source, n -> n.isNull() || n.asDouble() == 0.0);
    rejectUnless(model, "unk_token", source, JsonNode::isNull);
    rejectUnless(model, "continuing_subword_prefix", source, n -> n.isNull() || n.asText().isEmpty());
    rejectUnless(model, "end_of_word_suffix", source, n -> n.isNull() || n.asText().isEmpty());
    rejectUnless(model, "byte_fallback", source, n -> !n.asBoolean());
    rejectUnless(model, "ignore_merges", source, n -> !n.asBoolean());

    Map<String, Integer> vocab = new HashMap<>();
    JsonNode vocabNode = object(model, "vocab", source);
    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()) {
        throw bad(source, "model.vocab[\"" + e.getKey() + "\"]", "id must be an integer, got " + e.getValue());
      }
      vocab.put(e.getKey(), e.getValue().intValue());
    }
    JsonNode mergesNode = model.get("merges");
    if (mergesNode == null || !mergesNode.isArray()) {
      throw bad(source, "model.merges", "expected an array of merges, got " + mergesNode);
    }
    List<ModelBuilder.Merge> merges = new ArrayList<>(mergesNode.size());
    for (int i = 0; i < mergesNode.size(); i++) {
      JsonNode m = mergesNode.get(i);
      String where = "model.merges[" + i + "]";
      if (m.isTextual()) {
        merges.add(ModelBuilder.parseMerge(m.asText(), where, source));
      } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
        merges.add(new ModelBuilder.Merge(m.get(0).asText(), m.get(1).asText(), where));
      } else {
        throw bad(source, where, "expected \"left right\" or [\"left\", \"right\"], got " + m);
      }
    }
    Map<String, Integer> special = new LinkedHashMap<>();
    JsonNode added = root.get("added_tokens");
    if (added != null && !added.isNull()) {
      if (!added.isArray()) {
        throw bad(source, "added_tokens", "expected an array, got " + added.getNodeType());
      }
      for (int i = 0; i < added.size(); i++) {
        JsonNode t = added.get(i);
        String where = "added_tokens[" + i + "]";
        JsonNode id = t.get("id");
        JsonNode content = t.get("content");
        if (id == null || !id.isIntegralNumber() || content == null || !content.isTextual()) {
          throw bad(source, where, "needs an integer \"id\" and a string \"content\", got " + t);
        }
        if (t.path("special").asBoolean(false)) {
          special.put(content.asText(), id.intValue());
        } else if (!Integer.valueOf(id.intValue()).equals(vocab.get(content.asText()))) {
          throw new UnsupportedOperationException(source + " " + where + ": non-special added token "
              + content + " is not supported; mark it \"special\": true or add it to model.vocab");
        }
      }
    }
    return ModelBuilder.build(source, vocab, special, merges, normalizer, preTokenizer);
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

  private static Normalizer normalizer(JsonNode n, String source) {
    if (n == null || n.isNull()) {
      return Normalizer.NONE;
    }
    checkType(n, "normalizer", "NFC", source);
    return Normalizer.NFC;
  }

  private static PreTokenizer preTokenizer(JsonNode n, String source) {
    String supported = "supported: {\"type\": \"ByteLevel\", \"add_prefix_space\": false} or a "
        + "Sequence of Split (Regex, Isolated) and ByteLevel with use_regex false";
    if (n == null || n.isNull()) {
      throw bad(source, "pre_tokenizer", "missing; " + supported);
    }
    String type = n.path("type").asText();
    if (type.equals("ByteLevel") && !n.path("add_prefix_space").asBoolean(false)
        && n.path("use_regex").asBoolean(true)) {
      return Gpt2PreTokenizer.INSTANCE;
    }
    JsonNode seq = n.path("pretokenizers");
    if (type.equals("Sequence") && seq.size() == 2) {
      JsonNode split = seq.get(0);
      JsonNode bytes = seq.get(1);
      if (split.path("type").asText().equals("Split") && split.path("pattern").has("Regex")
          && split.path("behavior").asText().equals("Isolated") && !split.path("invert").asBoolean(false)
          && bytes.path("type").asText().equals("ByteLevel") && !bytes.path("add_prefix_space").asBoolean(false)
          && !bytes.path("use_regex").asBoolean(true)) {
        return PreTokenizer.forPattern(split.path("pattern").path("Regex").asText());
      }
    }
    throw new UnsupportedOperationException(source + ": pre_tokenizer " + n + " is not supported; " + supported);
  }

  private static void checkType(JsonNode n, String key, String type, String source) {
    if (n == null || n.isNull() || !type.equals(n.path("type").asText())) {
      throw new UnsupportedOperationException(source + ": " + key + " must have \"type\": \"" + type
          + "\", got " + n);
    }
  }

  private static void rejectUnless(JsonNode model, String key, String source,
      java.util.function.Predicate<JsonNode> ok) {
    JsonNode n = model.get(key);
    if (n != null && !ok.test(n)) {
      throw new UnsupportedOperationException(source + ": model." + key + " = " + n + " is not supported");
    }
  }

  private static JsonNode object(JsonNode parent, String key, String source) {
    JsonNode n = parent.get(key);
    if (n == null || !n.isObject()) {
      throw bad(source, key, "expected an object, got " + (n == null ? "nothing" : n.getNodeType()));
    }
    return n;
  }

  private static IllegalArgumentException bad(String source, String key, String what) {
    return new IllegalArgumentException(source + ": " + key + ": " + what);
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
