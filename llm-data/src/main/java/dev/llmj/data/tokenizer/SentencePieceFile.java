package dev.llmj.data.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a SentencePiece {@code tokenizer.model} (the protobuf {@code ModelProto}, parsed here from
 * the wire format) and builds the pipeline that encodes as SentencePiece does: its normalizer
 * (character map, extra whitespace removed, spaces as {@code ▁}, a dummy {@code ▁} prefix), then
 * the whole text through the BPE or Unigram model, with byte fallback; control and unknown pieces
 * become special tokens. BPE merges the adjacent pair whose concatenation is the piece of highest
 * score, so every split of a piece into two pieces is a merge, ranked by the piece's score.
 */
final class SentencePieceFile {
  /** Piece types of {@code ModelProto.SentencePiece.Type}. */
  private static final int NORMAL = 1;
  private static final int UNKNOWN = 2;
  private static final int CONTROL = 3;
  private static final int USER_DEFINED = 4;
  private static final int UNUSED = 5;
  private static final int BYTE = 6;
  private static final int UNIGRAM = 1;
  private static final int BPE = 2;
  private static final long MAX_FILE_BYTES = 1L << 30;
  private static final String SPACE = "\u2581";
  private static final String HIDDEN = "\uDFFF";

  private record Piece(String text, float score, int type) {}

  /** The fields of a model file this reader uses, with protobuf's defaults. */
  private static final class Model {
    final List<Piece> pieces = new ArrayList<>();
    int modelType = UNIGRAM;
    boolean byteFallback;
    boolean whitespaceAsSuffix;
    byte[] charsmap = new byte[0];
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;
  }

  private SentencePieceFile() {}

  static PipelineTokenizer read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(file + ": " + size + " bytes is too large for a SentencePiece model");
    }
    Model m = parse(Files.readAllBytes(file), file.toString());
    ObjectNode json = toJson(m, file.toString());
    return PipelineJson.build(json, file.toString(), null,
        liveNormalizer(m, (ObjectNode) json.get("normalizer"), file.toString()));
  }

  // ---- protobuf wire format ----

  /** A cursor over one message's bytes; errors name the file and the byte offset. */
  private static final class Reader {
    final byte[] b;
    final String source;
    int pos;
    final int end;

    Reader(byte[] b, int from, int end, String source) {
      this.b = b;
      this.pos = from;
      this.end = end;
      this.source = source;
    }

    IllegalArgumentException bad(String what) {
      return new IllegalArgumentException(source + " at byte " + pos + ": " + what
          + "; is this a SentencePiece .model file (protobuf ModelProto)?");
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw bad("varint runs past the end of its message");
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw bad("varint longer than 10 bytes");
    }

    /** A length-delimited field as a sub-reader; the cursor moves past it. */
    Reader sub() {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw bad("field length " + len + " exceeds the " + (end - pos) + " bytes left");
      }
      Reader r = new Reader(b, pos, pos + (int) len, source);
      pos += (int) len;
      return r;
    }

    float fixed32() {
      if (end - pos < 4) {
        throw bad("4-byte field runs past the end of its message");
      }
      int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
      pos += 4;
      return Float.intBitsToFloat(v);
    }

    String string() {
      Reader r = sub();
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(b, r.pos, r.end - r.pos)).toString();
      } catch (CharacterCodingException e) {
        throw bad("string is not valid UTF-8");
      }
    }

    byte[] bytes() {
      Reader r = sub();
      return java.util.Arrays.copyOfRange(b, r.pos, r.end);
    }

    void skip(int wireType) {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> {
          if (end - pos < 8) {
            throw bad("8-byte field runs past the end of its message");
          }
          pos += 8;
        }
        case 2 -> sub();
        case 5 -> fixed32();
        default -> throw bad("unknown wire type " + wireType);
      }
    }

    /** Checks the wire type of a known field. */
    void expect(int wireType, int want, String field) {
      if (wireType != want) {
        throw bad(field + " has wire type " + wireType + ", expected " + want);
      }
    }
  }

  private static Model parse(byte[] data, String source) {
    Model m = new Model();
    Reader r = new Reader(data, 0, data.length, source);
    boolean trainer = false;
    boolean normalizer = false;
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      switch (field) {
        case 1 -> {
          r.expect(wire, 2, "ModelProto.pieces");
          m.pieces.add(piece(r.sub()));
        }
        case 2 -> {
          r.expect(wire, 2, "ModelProto.trainer_spec");
          trainerSpec(r.sub(), m);
          trainer = true;
        }
        case 3 -> {
          r.expect(wire, 2, "ModelProto.normalizer_spec");
          normalizerSpec(r.sub(), m);
          normalizer = true;
        }
        default -> r.skip(wire);
      }
    }
    if (m.pieces.isEmpty()) {
      throw new IllegalArgumentException(source + ": the model has no pieces; is this a SentencePiece .model file?");
    }
    if (!trainer || !normalizer) {
      // SentencePiece writes both specs after the pieces, so a file cut between two pieces lacks them.
      throw new IllegalArgumentException(source + ": the model has no trainer_spec or normalizer_spec after its "
          + m.pieces.size() + " pieces; the file looks truncated");
    }
    return m;
  }

  private static Piece piece(Reader r) {
    String text = null;
    float score = 0;
    int type = NORMAL;
    while (r.pos < r.end) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 1 -> {
          r.expect(wire, 2, "SentencePiece.piece");
          text = r.string();
        }
        case 2 -> {
          r.expect(wire, 5, "SentencePiece.score");
          score = r.fixed32();
        }
        case 3 -> {
          r.expect(wire, 0, "SentencePiece.type");
          type = (int) r.varint();
        }
        default -> r.skip(wire);
      }
    }
    if (text == null || text.isEmpty()) {
      throw r.bad("a piece has no text");
    }
    if (type < NORMAL || type > BYTE) {
      throw r.bad("piece \"" + text + "\" has unknown type " + type);
    }
    return new Piece(text, score, type);
  }

  private static void trainerSpec(Reader r, Model m) {
    while (r.pos < r.end) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 3 -> {
          r.expect(wire, 0, "TrainerSpec.model_type");
          m.modelType = (int) r.varint();
        }
        case 24 -> {
          r.expect(wire, 0, "TrainerSpec.treat_whitespace_as_suffix");
          m.whitespaceAsSuffix = r.varint() != 0;
        }
        case 35 -> {
          r.expect(wire, 0, "TrainerSpec.byte_fallback");
          m.byteFallback = r.varint() != 0;
        }
        default -> r.skip(wire);
      }
    }
  }

  private static void normalizerSpec(Reader r, Model m) {
    while (r.pos < r.end) {
      long tag = r.varint();
      int wire = (int) (tag & 7);
      switch ((int) (tag >>> 3)) {
        case 2 -> {
          r.expect(wire, 2, "NormalizerSpec.precompiled_charsmap");
          m.charsmap = r.bytes();
        }
        case 3 -> {
          r.expect(wire, 0, "NormalizerSpec.add_dummy_prefix");
          m.addDummyPrefix = r.varint() != 0;
        }
        case 4 -> {
          r.expect(wire, 0, "NormalizerSpec.remove_extra_whitespaces");
          m.removeExtraWhitespaces = r.varint() != 0;
        }
        case 5 -> {
          r.expect(wire, 0, "NormalizerSpec.escape_whitespaces");
          m.escapeWhitespaces = r.varint() != 0;
        }
        default -> r.skip(wire);
      }
    }
  }

  // ---- the equivalent tokenizer.json ----

  private static ObjectNode toJson(Model m, String source) {
    if (m.whitespaceAsSuffix) {
      throw new UnsupportedOperationException(source + ": trainer_spec.treat_whitespace_as_suffix = true is "
          + "not supported; supported: false (a space marks the start of a piece)");
    }
    if (m.modelType != BPE && m.modelType != UNIGRAM) {
      throw new UnsupportedOperationException(source + ": trainer_spec.model_type " + m.modelType
          + " is not supported; supported: 1 (UNIGRAM), 2 (BPE)");
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode added = root.putArray("added_tokens");
    String unk = null;
    int unkId = -1;
    for (int id = 0; id < m.pieces.size(); id++) {
      Piece p = m.pieces.get(id);
      if (p.type == UNKNOWN) {
        unk = p.text;
        unkId = id;
      }
      if (p.type == UNKNOWN || p.type == CONTROL || p.type == USER_DEFINED) {
        // SentencePiece never finds control pieces in text; user-defined ones it always does.
        added.addObject().put("id", id).put("content", p.text).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", p.type == USER_DEFINED).put("special", p.type != USER_DEFINED);
      }
    }
    root.set("normalizer", normalizer(m, f));
    root.putNull("pre_tokenizer");
    root.set("model", m.modelType == BPE ? bpe(m, unk, f) : unigram(m, unkId, source, f));
    root.putNull("post_processor");
    ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
    ArrayNode steps = decoder.putArray("decoders");
    if (m.escapeWhitespaces) {
      steps.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", SPACE);
    }
    if (m.byteFallback) {
      steps.addObject().put("type", "ByteFallback");
    }
    steps.addObject().put("type", "Fuse");
    if (m.addDummyPrefix) {
      steps.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    }
    return root;
  }

  /** A whitespace step of SentencePiece's normalization, as a Replace (regex or string) or Prepend. */
  private record Step(String type, String pattern, boolean regex, String content) {
    ObjectNode json(JsonNodeFactory f) {
      ObjectNode n = f.objectNode().put("type", type);
      if (type.equals("Prepend")) {
        return n.put("prepend", content);
      }
      n.put("content", content).putObject("pattern").put(regex ? "Regex" : "String", pattern);
      return n;
    }

    UnaryOperator<String> operator(String source) {
      return type.equals("Prepend") ? Normalizers.prepend(content) : Normalizers.replace(
          regex ? SplitPattern.regex(pattern, source) : SplitPattern.literal(pattern, source), content);
    }
  }

  /**
   * SentencePiece's normalization after the character map: with remove_extra_whitespaces, leading
   * spaces removed and runs of spaces made one; spaces escaped as ▁; trailing ▁ removed; then the
   * dummy prefix, which an empty result does not get.
   */
  private static List<Step> whitespace(Model m) {
    List<Step> steps = new ArrayList<>();
    String space = m.escapeWhitespaces ? SPACE : " ";
    if (m.removeExtraWhitespaces) {
      steps.add(new Step("Replace", "^ +", true, ""));
      steps.add(new Step("Replace", " {2,}", true, " "));
    }
    if (m.escapeWhitespaces) {
      steps.add(new Step("Replace", " ", false, SPACE));
    }
    if (m.removeExtraWhitespaces) {
      // At the end SentencePiece strips the escaped space symbol, so a ▁ typed in the text goes too.
      steps.add(new Step("Replace", space + "+$", true, ""));
    }
    if (m.addDummyPrefix) {
      steps.add(new Step("Prepend", null, false, space));
    }
    return steps;
  }

  /** The normalizer as {@code tokenizer.json} writes it: Hugging Face's Precompiled, then the whitespace steps. */
  private static ObjectNode normalizer(Model m, JsonNodeFactory f) {
    ObjectNode n = f.objectNode().put("type", "Sequence");
    ArrayNode list = n.putArray("normalizers");
    if (m.charsmap.length > 0) {
      list.addObject().put("type", "Precompiled")
          .put("precompiled_charsmap", Base64.getEncoder().encodeToString(m.charsmap));
    }
    whitespace(m).forEach(step -> list.add(step.json(f)));
    return n;
  }

  /**
   * The normalizer that runs: the character map applied as SentencePiece applies it (longest key
   * at each position; Hugging Face's Precompiled looks up whole graphemes, which differs on a few
   * inputs such as a letter with two combining marks), then the whitespace steps.
   */
  private static UnaryOperator<String> liveNormalizer(Model m, ObjectNode json, String source) {
    List<UnaryOperator<String>> ops = new ArrayList<>();
    if (m.charsmap.length > 0) {
      PrecompiledCharsmap map = PrecompiledCharsmap.parse(json.get("normalizers").get(0).get("precompiled_charsmap"),
          source + ": normalizer_spec");
      ops.add(map::applyLongest);
    }
    whitespace(m).forEach(step -> ops.add(step.operator(source)));
    return Normalizers.sequence(ops);
  }

  private static ObjectNode bpe(Model m, String unk, JsonNodeFactory f) {
    ObjectNode model = f.objectNode().put("type", "BPE").putNull("dropout");
    if (unk == null) {
      model.putNull("unk_token");
    } else {
      model.put("unk_token", unk);
    }
    model.put("fuse_unk", true).put("byte_fallback", m.byteFallback).put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    Map<String, Integer> mergeable = new HashMap<>();
    for (int id = 0; id < m.pieces.size(); id++) {
      Piece p = m.pieces.get(id);
      vocab.put(p.text, id);
      if (p.type == NORMAL || p.type == USER_DEFINED) {
        mergeable.put(p.text, id);
      }
    }
    List<int[]> merges = new ArrayList<>(); // {left, right, result}
    for (int id = 0; id < m.pieces.size(); id++) {
      Piece p = m.pieces.get(id);
      if (p.type != NORMAL) {
        continue;
      }
      String t = p.text;
      for (int k = t.offsetByCodePoints(0, 1); k < t.length(); k = t.offsetByCodePoints(k, 1)) {
        Integer a = mergeable.get(t.substring(0, k));
        Integer b = mergeable.get(t.substring(k));
        if (a != null && b != null) {
          merges.add(new int[] {a, b, id});
        }
      }
    }
    // Highest score first; equal scores by id, as SentencePiece's training wrote them.
    merges.sort(Comparator.<int[]>comparingDouble(x -> -m.pieces.get(x[2]).score).thenComparingInt(x -> x[2]));
    ArrayNode list = model.putArray("merges");
    for (int[] x : merges) {
      list.addArray().add(m.pieces.get(x[0]).text).add(m.pieces.get(x[1]).text);
    }
    return model;
  }

  private static ObjectNode unigram(Model m, int unkId, String source, JsonNodeFactory f) {
    ObjectNode model = f.objectNode().put("type", "Unigram");
    if (unkId < 0) {
      model.putNull("unk_id");
    } else {
      model.put("unk_id", unkId);
    }
    model.put("byte_fallback", m.byteFallback);
    ArrayNode vocab = model.putArray("vocab");
    for (Piece p : m.pieces) {
      if (p.type == UNUSED) {
        throw new UnsupportedOperationException(source + ": unigram piece \"" + p.text + "\" has type UNUSED, "
            + "which is not supported; supported: NORMAL, UNKNOWN, CONTROL, USER_DEFINED, BYTE");
      }
      // SentencePiece's lattice holds only pieces text can spell; a control or unknown piece keeps
      // its id and score here but a spelling that starts with an unpaired surrogate, which no
      // well-formed text contains (the special token gives its text back when decoding).
      boolean hidden = p.type == CONTROL || p.type == UNKNOWN;
      vocab.addArray().add(hidden ? HIDDEN + p.text : p.text).add(p.score);
    }
    return model;
  }
}
