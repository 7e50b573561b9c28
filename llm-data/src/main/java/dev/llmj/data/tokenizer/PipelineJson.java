package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Builds a {@link PipelineTokenizer} from a parsed {@code tokenizer.json}. Every component type
 * and option Hugging Face defines that this library does not implement fails here, naming the
 * JSON path, the value and what is supported, rather than tokenizing differently.
 */
final class PipelineJson {
  private final String source;

  private PipelineJson(String source) {
    this.source = source;
  }

  static PipelineTokenizer build(JsonNode root, String source, String configEos) {
    return new PipelineJson(source).tokenizer(root, configEos, null);
  }

  /**
   * As {@link #build(JsonNode, String, String)}, with {@code normalizer} in place of the one
   * {@code root} describes (which is still what {@code save} writes): for formats whose
   * normalization {@code tokenizer.json} can only approximate.
   */
  static PipelineTokenizer build(JsonNode root, String source, String configEos, UnaryOperator<String> normalizer) {
    return new PipelineJson(source).tokenizer(root, configEos, normalizer);
  }

  private PipelineTokenizer tokenizer(JsonNode root, String configEos, UnaryOperator<String> normalizerOverride) {
    if (!root.isObject()) {
      throw bad("<root>", root.getNodeType().toString(), "a JSON object");
    }
    keys(root, "", Set.of("version", "truncation", "padding", "added_tokens", "normalizer",
        "pre_tokenizer", "model", "post_processor", "decoder"));
    UnaryOperator<String> normalizer = normalizerOverride != null ? normalizerOverride
        : nullable(root.get("normalizer")) ? null : normalizer(root.get("normalizer"), "normalizer");
    PiecePass pre = nullable(root.get("pre_tokenizer")) ? null : preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer");
    JsonNode modelNode = root.get("model");
    if (modelNode == null || !modelNode.isObject()) {
      throw bad("model", String.valueOf(modelNode), "an object with \"type\" BPE or Unigram");
    }
    PieceModel model = model(modelNode);
    List<AddedTokens.Token> added = addedTokens(root.get("added_tokens"), model);
    Map<String, Integer> ids = new HashMap<>();
    added.forEach(t -> ids.put(t.content(), t.id()));
    PostProcessor post = nullable(root.get("post_processor")) ? null
        : postProcessor(root.get("post_processor"), "post_processor", ids, model);
    Decoder decoder = nullable(root.get("decoder")) ? null : decoder(root.get("decoder"), "decoder");
    PreTokenizer byteSplitter = pre == null ? null : byteLevelSplitter(root.get("pre_tokenizer"));
    return new PipelineTokenizer(added, normalizer, pre, byteSplitter, model, post, decoder, configEos, root);
  }

  /**
   * The splitter of the common byte-level shape (ByteLevel with GPT-2's regex, or one Isolated
   * regex Split then ByteLevel without regex, no prefix space), which lets BPE work on the UTF-8
   * bytes of each piece directly; {@code null} for any other shape.
   */
  private static PreTokenizer byteLevelSplitter(JsonNode n) {
    if (isByteLevel(n, true)) {
      return PreTokenizer.forPattern(Gpt2PreTokenizer.PATTERN);
    }
    JsonNode seq = n.path("pretokenizers");
    if (n.path("type").asText().equals("Sequence") && seq.size() == 2 && isByteLevel(seq.get(1), false)) {
      JsonNode split = seq.get(0);
      if (split.path("type").asText().equals("Split") && split.path("pattern").path("Regex").isTextual()
          && split.path("behavior").asText().equals("Isolated") && !split.path("invert").asBoolean(true)) {
        return PreTokenizer.forPattern(split.path("pattern").path("Regex").asText());
      }
    }
    return null;
  }

  private static boolean isByteLevel(JsonNode n, boolean useRegex) {
    return n.path("type").asText().equals("ByteLevel") && !n.path("add_prefix_space").asBoolean(true)
        && n.path("use_regex").asBoolean(true) == useRegex;
  }

  // ---- added tokens ----

  /**
   * The added tokens with the ids Hugging Face gives them, which are not the ids written in the
   * file: a token of the model's vocabulary keeps that id, any other gets the next id after the
   * vocabulary and the added tokens so far (the file's ids agree with this in every file Hugging
   * Face itself wrote).
   */
  private List<AddedTokens.Token> addedTokens(JsonNode n, PieceModel model) {
    Map<Integer, AddedTokens.Token> byId = new java.util.LinkedHashMap<>();
    Map<String, Integer> idOf = new HashMap<>();
    if (nullable(n)) {
      return new ArrayList<>();
    }
    if (!n.isArray()) {
      throw bad("added_tokens", n.getNodeType().toString(), "an array");
    }
    for (int i = 0; i < n.size(); i++) {
      String p = "added_tokens[" + i + "]";
      JsonNode t = n.get(i);
      keys(t, p, Set.of("id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"));
      integer(t, "id", p);
      String content = text(t, "content", p);
      if (content.isEmpty()) {
        continue; // Hugging Face ignores empty added tokens
      }
      AddedTokens.Token token = new AddedTokens.Token(-1, content, bool(t, "special", p, false),
          bool(t, "normalized", p, true), bool(t, "lstrip", p, false), bool(t, "rstrip", p, false),
          bool(t, "single_word", p, false));
      Integer id = idOf.get(content);
      if (id == null) {
        id = model.id(content);
      }
      if (id < 0) {
        int max = idOf.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        id = max >= model.entries() ? max + 1 : model.entries();
      }
      idOf.put(content, id);
      byId.put(id, new AddedTokens.Token(id, content, token.special(), token.normalized(), token.lstrip(),
          token.rstrip(), token.singleWord()));
    }
    return new ArrayList<>(byId.values());
  }

  // ---- normalizers ----

  private static final String NORMALIZERS = "NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, "
      + "Replace, Prepend, Precompiled, Sequence";

  private UnaryOperator<String> normalizer(JsonNode n, String p) {
    switch (type(n, p, NORMALIZERS)) {
      case "NFC":
      case "NFD":
      case "NFKC":
      case "NFKD":
        keys(n, p, Set.of("type"));
        return Normalizers.unicode(java.text.Normalizer.Form.valueOf(n.get("type").asText()));
      case "Lowercase":
        keys(n, p, Set.of("type"));
        return Normalizers::lowercase;
      case "StripAccents":
        keys(n, p, Set.of("type"));
        return Normalizers::stripAccents;
      case "Strip":
        keys(n, p, Set.of("type", "strip_left", "strip_right"));
        return Normalizers.strip(bool(n, "strip_left", p, true), bool(n, "strip_right", p, true));
      case "Replace":
        keys(n, p, Set.of("type", "pattern", "content"));
        return Normalizers.replace(pattern(n.get("pattern"), p + ".pattern"), text(n, "content", p));
      case "Prepend":
        keys(n, p, Set.of("type", "prepend"));
        return Normalizers.prepend(text(n, "prepend", p));
      case "Precompiled":
        keys(n, p, Set.of("type", "precompiled_charsmap"));
        return PrecompiledCharsmap.parse(n.get("precompiled_charsmap"), source + ": " + p);
      case "Sequence": {
        keys(n, p, Set.of("type", "normalizers"));
        List<UnaryOperator<String>> steps = new ArrayList<>();
        JsonNode list = array(n, "normalizers", p);
        for (int i = 0; i < list.size(); i++) {
          steps.add(normalizer(list.get(i), p + ".normalizers[" + i + "]"));
        }
        return Normalizers.sequence(steps);
      }
      default:
        throw unsupported(p + ".type", n.get("type"), NORMALIZERS);
    }
  }

  // ---- pre-tokenizers ----

  private static final String PRE_TOKENIZERS = "ByteLevel, Split, Metaspace, Digits, Punctuation, "
      + "Whitespace, WhitespaceSplit, BertPreTokenizer, Sequence";

  private PiecePass preTokenizer(JsonNode n, String p) {
    switch (type(n, p, PRE_TOKENIZERS)) {
      case "ByteLevel":
        keys(n, p, Set.of("type", "add_prefix_space", "trim_offsets", "use_regex"));
        return PreTokenizers.byteLevel(bool(n, "add_prefix_space", p, true), bool(n, "use_regex", p, true));
      case "Split": {
        keys(n, p, Set.of("type", "pattern", "behavior", "invert"));
        PiecePass.Behavior behavior = behavior(n.get("behavior"), p + ".behavior");
        boolean invert = bool(n, "invert", p, false);
        JsonNode pat = n.get("pattern");
        if (pat != null && pat.has("Regex") && behavior == PiecePass.Behavior.ISOLATED && !invert) {
          SplitPattern.compile(pat.get("Regex").asText(), source + ": " + p + ".pattern.Regex"); // fail here on bad syntax
          return PreTokenizers.isolated(PreTokenizer.forPattern(pat.get("Regex").asText()));
        }
        SplitPattern sp = pattern(pat, p + ".pattern");
        return PiecePass.split(invert ? sp.inverted() : sp, behavior);
      }
      case "Metaspace": {
        keys(n, p, Set.of("type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"));
        String rep = text(n, "replacement", p);
        if (rep.codePointCount(0, rep.length()) != 1) {
          throw bad(p + ".replacement", rep, "one character such as \"\u2581\"");
        }
        String scheme = n.has("prepend_scheme") ? text(n, "prepend_scheme", p) : "always";
        if (!Set.of("first", "always", "never").contains(scheme)) {
          throw unsupported(p + ".prepend_scheme", n.get("prepend_scheme"), "first, always, never");
        }
        if (n.has("add_prefix_space") && !bool(n, "add_prefix_space", p, true)) {
          if (n.has("prepend_scheme") && !scheme.equals("never")) {
            throw bad(p + ".add_prefix_space", "false", "consistent with prepend_scheme " + scheme);
          }
          scheme = "never";
        }
        return PreTokenizers.metaspace(rep.codePointAt(0), scheme, bool(n, "split", p, true));
      }
      case "Digits":
        keys(n, p, Set.of("type", "individual_digits"));
        return PiecePass.split(SplitPattern.chars(CharClass::isNumeric),
            bool(n, "individual_digits", p, false) ? PiecePass.Behavior.ISOLATED : PiecePass.Behavior.CONTIGUOUS);
      case "Punctuation":
        keys(n, p, Set.of("type", "behavior"));
        return PiecePass.split(SplitPattern.chars(CharClass::isPunctuation),
            n.has("behavior") ? behavior(n.get("behavior"), p + ".behavior") : PiecePass.Behavior.ISOLATED);
      case "Whitespace":
        keys(n, p, Set.of("type"));
        return PiecePass.split(SplitPattern.regex("\\w+|[^\\w\\s]+", p).inverted(), PiecePass.Behavior.REMOVED);
      case "WhitespaceSplit":
        keys(n, p, Set.of("type"));
        return PiecePass.split(SplitPattern.chars(CharClass::isWhiteSpace), PiecePass.Behavior.REMOVED);
      case "BertPreTokenizer":
        keys(n, p, Set.of("type"));
        return PiecePass.split(SplitPattern.chars(CharClass::isWhiteSpace), PiecePass.Behavior.REMOVED)
            .then(PiecePass.split(SplitPattern.chars(CharClass::isPunctuation), PiecePass.Behavior.ISOLATED));
      case "Sequence": {
        keys(n, p, Set.of("type", "pretokenizers"));
        JsonNode list = array(n, "pretokenizers", p);
        PiecePass all = (text, first, out) -> out.piece(text, first);
        for (int i = 0; i < list.size(); i++) {
          all = all.then(preTokenizer(list.get(i), p + ".pretokenizers[" + i + "]"));
        }
        return all;
      }
      default:
        throw unsupported(p + ".type", n.get("type"), PRE_TOKENIZERS);
    }
  }

  private PiecePass.Behavior behavior(JsonNode n, String p) {
    for (PiecePass.Behavior b : PiecePass.Behavior.values()) {
      if (n != null && b.json.equals(n.asText())) {
        return b;
      }
    }
    throw unsupported(p, n, "Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
  }

  /** {@code {"String": "..."}} (a literal) or {@code {"Regex": "..."}} (Oniguruma syntax). */
  private SplitPattern pattern(JsonNode n, String p) {
    if (n != null && n.isObject() && n.size() == 1 && n.has("String") && n.get("String").isTextual()) {
      return SplitPattern.literal(n.get("String").asText(), source + ": " + p);
    }
    if (n != null && n.isObject() && n.size() == 1 && n.has("Regex") && n.get("Regex").isTextual()) {
      return SplitPattern.regex(n.get("Regex").asText(), source + ": " + p + ".Regex");
    }
    throw bad(p, String.valueOf(n), "{\"String\": \"...\"} or {\"Regex\": \"...\"}");
  }

  // ---- models ----

  private PieceModel model(JsonNode n) {
    String p = "model";
    String type = n.has("type") ? text(n, "type", p) : (n.has("merges") ? "BPE" : "");
    switch (type) {
      case "BPE":
        return bpe(n, p);
      case "Unigram":
        return unigram(n, p);
      default:
        throw unsupported(p + ".type", n.get("type"), "BPE, Unigram");
    }
  }

  private PieceModel bpe(JsonNode n, String p) {
    keys(n, p, Set.of("type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix",
        "fuse_unk", "byte_fallback", "ignore_merges", "vocab", "merges"));
    JsonNode dropout = n.get("dropout");
    if (!nullable(dropout)) {
      throw unsupported(p + ".dropout", dropout, "null (dropout samples a different tokenization each call; "
          + "set it to null for the deterministic tokenizer)");
    }
    JsonNode vocabNode = n.get("vocab");
    if (vocabNode == null || !vocabNode.isObject()) {
      throw bad(p + ".vocab", String.valueOf(vocabNode), "an object of token to id");
    }
    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
    int size = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= ModelBuilder.MAX_ID) {
        throw bad(p + ".vocab[\"" + e.getKey() + "\"]", v.toString(), "an id in [0, " + ModelBuilder.MAX_ID + ")");
      }
      vocab.put(e.getKey(), v.intValue());
      size = Math.max(size, v.intValue() + 1);
    }
    String[] tokens = new String[size];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      String other = tokens[e.getValue()];
      if (other != null) {
        throw bad(p + ".vocab", "{\"" + other + "\": " + e.getValue() + ", \"" + e.getKey() + "\": " + e.getValue() + "}",
            "one token per id; tokens \"" + other + "\" and \"" + e.getKey() + "\" both have id " + e.getValue());
      }
      tokens[e.getValue()] = e.getKey();
    }
    String prefix = optionalText(n, "continuing_subword_prefix", p);
    JsonNode mergesNode = n.get("merges");
    if (mergesNode == null || !mergesNode.isArray()) {
      throw bad(p + ".merges", String.valueOf(mergesNode), "an array of merges");
    }
    int m = mergesNode.size();
    int[] left = new int[m];
    int[] right = new int[m];
    int[] result = new int[m];
    for (int i = 0; i < m; i++) {
      JsonNode mn = mergesNode.get(i);
      String where = p + ".merges[" + i + "]";
      ModelBuilder.Merge merge;
      if (mn.isTextual()) {
        merge = ModelBuilder.parseMerge(mn.asText(), where, source);
      } else if (mn.isArray() && mn.size() == 2 && mn.get(0).isTextual() && mn.get(1).isTextual()) {
        merge = new ModelBuilder.Merge(mn.get(0).asText(), mn.get(1).asText(), where);
      } else {
        throw bad(where, mn.toString(), "\"left right\" or [\"left\", \"right\"]");
      }
      String r = merge.right();
      if (prefix != null && !prefix.isEmpty()) {
        if (!r.startsWith(prefix)) {
          throw bad(where, mn.toString(), "a right part that starts with continuing_subword_prefix " + prefix);
        }
        r = r.substring(prefix.length());
      }
      left[i] = mergeId(vocab, merge.left(), where);
      right[i] = mergeId(vocab, merge.right(), where);
      result[i] = mergeId(vocab, merge.left() + r, where);
    }
    String unk = optionalText(n, "unk_token", p);
    return new BpePieceModel(vocab, tokens, new MergeTable(left, right, result), new BpePieceModel.Options(
        unk, bool(n, "fuse_unk", p, false), bool(n, "byte_fallback", p, false),
        bool(n, "ignore_merges", p, false), prefix, optionalText(n, "end_of_word_suffix", p)));
  }

  private int mergeId(Map<String, Integer> vocab, String token, String where) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw bad(where, "\"" + token + "\"", "a token of model.vocab (merges may only use and make vocabulary tokens)");
    }
    return id;
  }

  private PieceModel unigram(JsonNode n, String p) {
    keys(n, p, Set.of("type", "unk_id", "vocab", "byte_fallback"));
    JsonNode vocab = array(n, "vocab", p);
    String[] pieces = new String[vocab.size()];
    double[] scores = new double[vocab.size()];
    for (int i = 0; i < vocab.size(); i++) {
      JsonNode e = vocab.get(i);
      if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
        throw bad(p + ".vocab[" + i + "]", e.toString(), "[\"piece\", score]");
      }
      pieces[i] = e.get(0).asText();
      scores[i] = e.get(1).asDouble();
    }
    int unkId = -1;
    if (!nullable(n.get("unk_id"))) {
      unkId = integer(n, "unk_id", p);
      if (unkId < 0 || unkId >= pieces.length) {
        throw bad(p + ".unk_id", Integer.toString(unkId), "an index into model.vocab (size " + pieces.length + ")");
      }
    }
    return new UnigramModel(pieces, scores, unkId, bool(n, "byte_fallback", p, false));
  }

  // ---- post-processors ----

  private static final String POST_PROCESSORS = "ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing, Sequence";

  private PostProcessor postProcessor(JsonNode n, String p, Map<String, Integer> added, PieceModel model) {
    switch (type(n, p, POST_PROCESSORS)) {
      case "ByteLevel":
        keys(n, p, Set.of("type", "add_prefix_space", "trim_offsets", "use_regex"));
        return PostProcessor.IDENTITY;
      case "TemplateProcessing": {
        keys(n, p, Set.of("type", "single", "pair", "special_tokens"));
        Map<String, int[]> specials = new HashMap<>();
        JsonNode st = n.get("special_tokens");
        if (!nullable(st)) {
          for (Iterator<Map.Entry<String, JsonNode>> it = st.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String where = p + ".special_tokens[\"" + e.getKey() + "\"]";
            JsonNode ids = array(e.getValue(), "ids", where);
            int[] a = new int[ids.size()];
            for (int i = 0; i < a.length; i++) {
              if (!ids.get(i).canConvertToInt()) {
                throw bad(where + ".ids[" + i + "]", ids.get(i).toString(), "an integer id");
              }
              a[i] = ids.get(i).intValue();
            }
            specials.put(e.getKey(), a);
          }
        }
        return PostProcessor.template(template(n, "single", p, specials), template(n, "pair", p, specials));
      }
      case "BertProcessing":
      case "RobertaProcessing": {
        boolean roberta = n.get("type").asText().equals("RobertaProcessing");
        keys(n, p, roberta ? Set.of("type", "sep", "cls", "trim_offsets", "add_prefix_space") : Set.of("type", "sep", "cls"));
        return PostProcessor.clsSep(pairId(n, "cls", p), pairId(n, "sep", p), roberta);
      }
      case "Sequence": {
        keys(n, p, Set.of("type", "processors"));
        JsonNode list = array(n, "processors", p);
        List<PostProcessor> steps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          steps.add(postProcessor(list.get(i), p + ".processors[" + i + "]", added, model));
        }
        return PostProcessor.sequence(steps);
      }
      default:
        throw unsupported(p + ".type", n.get("type"), POST_PROCESSORS);
    }
  }

  /** Bert/Roberta's {@code ["[CLS]", 101]}. */
  private int pairId(JsonNode n, String key, String p) {
    JsonNode v = n.get(key);
    if (v == null || !v.isArray() || v.size() != 2 || !v.get(1).canConvertToInt()) {
      throw bad(p + "." + key, String.valueOf(v), "[\"token\", id]");
    }
    return v.get(1).intValue();
  }

  private List<PostProcessor.Item> template(JsonNode n, String key, String p, Map<String, int[]> specials) {
    JsonNode list = array(n, key, p);
    List<PostProcessor.Item> items = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String where = p + "." + key + "[" + i + "]";
      JsonNode item = list.get(i);
      if (item.has("SpecialToken")) {
        String id = text(item.get("SpecialToken"), "id", where + ".SpecialToken");
        int[] ids = specials.get(id);
        if (ids == null) {
          throw bad(where + ".SpecialToken.id", id, "a key of " + p + ".special_tokens " + specials.keySet());
        }
        items.add(new PostProcessor.Item(ids, -1));
      } else if (item.has("Sequence")) {
        String id = text(item.get("Sequence"), "id", where + ".Sequence");
        if (!id.equals("A") && !id.equals("B")) {
          throw unsupported(where + ".Sequence.id", item.get("Sequence").get("id"), "A, B");
        }
        items.add(new PostProcessor.Item(null, id.equals("A") ? 0 : 1));
      } else {
        throw bad(where, item.toString(), "{\"SpecialToken\": ...} or {\"Sequence\": ...}");
      }
    }
    return items;
  }

  // ---- decoders ----

  private static final String DECODERS = "ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence";

  private Decoder decoder(JsonNode n, String p) {
    switch (type(n, p, DECODERS)) {
      case "ByteLevel":
        keys(n, p, Set.of("type", "add_prefix_space", "trim_offsets", "use_regex"));
        return Decoder.BYTE_LEVEL;
      case "ByteFallback":
        keys(n, p, Set.of("type"));
        return Decoder.BYTE_FALLBACK;
      case "Fuse":
        keys(n, p, Set.of("type"));
        return Decoder.FUSE;
      case "Metaspace": {
        keys(n, p, Set.of("type", "replacement", "prepend_scheme", "split", "add_prefix_space", "str_rep"));
        String rep = text(n, "replacement", p);
        String scheme = n.has("prepend_scheme") ? text(n, "prepend_scheme", p) : "always";
        if (!Set.of("first", "always", "never").contains(scheme)) {
          throw unsupported(p + ".prepend_scheme", n.get("prepend_scheme"), "first, always, never");
        }
        if (n.has("add_prefix_space") && !bool(n, "add_prefix_space", p, true)) {
          scheme = "never";
        }
        return Decoder.metaspace(rep.codePointAt(0), !scheme.equals("never"));
      }
      case "Strip": {
        keys(n, p, Set.of("type", "content", "start", "stop"));
        String content = text(n, "content", p);
        if (content.codePointCount(0, content.length()) != 1) {
          throw bad(p + ".content", content, "one character");
        }
        return Decoder.strip(content.codePointAt(0), integer(n, "start", p), integer(n, "stop", p));
      }
      case "Replace":
        keys(n, p, Set.of("type", "pattern", "content"));
        return Decoder.replace(pattern(n.get("pattern"), p + ".pattern"), text(n, "content", p));
      case "Sequence": {
        keys(n, p, Set.of("type", "decoders"));
        JsonNode list = array(n, "decoders", p);
        List<Decoder> steps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          steps.add(decoder(list.get(i), p + ".decoders[" + i + "]"));
        }
        return Decoder.sequence(steps);
      }
      default:
        throw unsupported(p + ".type", n.get("type"), DECODERS);
    }
  }

  // ---- JSON helpers: every error names the file, the JSON path and the value ----

  private static boolean nullable(JsonNode n) {
    return n == null || n.isNull();
  }

  private String type(JsonNode n, String p, String supported) {
    if (n == null || !n.isObject() || !n.has("type") || !n.get("type").isTextual()) {
      throw bad(p, String.valueOf(n), "an object with a \"type\" (one of " + supported + ")");
    }
    return n.get("type").asText();
  }

  private void keys(JsonNode n, String p, Set<String> known) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new UnsupportedOperationException(source + ": " + (p.isEmpty() ? "" : p + ".") + k
            + " is not a supported key" + (n.has("type") ? " of " + n.get("type").asText() : "")
            + "; supported: " + new java.util.TreeSet<>(known));
      }
    }
  }

  private String text(JsonNode n, String key, String p) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isTextual()) {
      throw bad(p + "." + key, String.valueOf(v), "a string");
    }
    return v.asText();
  }

  private String optionalText(JsonNode n, String key, String p) {
    return nullable(n.get(key)) ? null : text(n, key, p);
  }

  private int integer(JsonNode n, String key, String p) {
    JsonNode v = n.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw bad(p + "." + key, String.valueOf(v), "an integer");
    }
    return v.intValue();
  }

  private boolean bool(JsonNode n, String key, String p, boolean absent) {
    JsonNode v = n.get(key);
    if (v == null) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw bad(p + "." + key, v.toString(), "true or false");
    }
    return v.booleanValue();
  }

  private JsonNode array(JsonNode n, String key, String p) {
    JsonNode v = n == null ? null : n.get(key);
    if (v == null || !v.isArray()) {
      throw bad(p + "." + key, String.valueOf(v), "an array");
    }
    return v;
  }

  private IllegalArgumentException bad(String path, String value, String expected) {
    return new IllegalArgumentException(source + ": " + path + " = " + value + "; expected " + expected);
  }

  private UnsupportedOperationException unsupported(String path, JsonNode value, String supported) {
    return new UnsupportedOperationException(source + ": " + path + " = " + value
        + " is not supported; supported: " + supported);
  }
}
