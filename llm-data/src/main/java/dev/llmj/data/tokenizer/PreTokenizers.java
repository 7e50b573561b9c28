package dev.llmj.data.tokenizer;

/** The pre-tokenizers of Hugging Face pipelines that rewrite text as well as splitting it. */
final class PreTokenizers {
  private PreTokenizers() {}

  /** A regex split with behaviour Isolated: matches and the text between them are all pieces. */
  static PiecePass isolated(PreTokenizer splitter) {
    return (text, first, out) -> splitter.split(text, 0, text.length(),
        (s, e) -> out.piece(text.substring(s, e), first && s == 0));
  }

  /**
   * ByteLevel: optionally a space before each piece that lacks one, GPT-2's split if {@code
   * useRegex}, then every UTF-8 byte spelled as its GPT-2 byte-level character.
   */
  static PiecePass byteLevel(boolean addPrefixSpace, boolean useRegex) {
    PreTokenizer gpt2 = useRegex ? PreTokenizer.forPattern(Gpt2PreTokenizer.PATTERN) : null;
    return (text, first, out) -> {
      String t = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
      if (gpt2 == null) {
        out.piece(ByteLevel.toText(t, 0, t.length()), first);
      } else {
        gpt2.split(t, 0, t.length(), (s, e) -> out.piece(ByteLevel.toText(t, s, e), first && s == 0));
      }
    };
  }

  /**
   * Metaspace: spaces become {@code replacement}, which is prepended (always, never, or only to
   * the piece at the start of the input), and with {@code split} each replacement starts a piece.
   */
  static PiecePass metaspace(int replacement, String scheme, boolean split) {
    String rep = new String(Character.toChars(replacement));
    PiecePass splitter = split
        ? PiecePass.split(SplitPattern.chars(c -> c == replacement), PiecePass.Behavior.MERGED_WITH_NEXT)
        : null;
    return (text, first, out) -> {
      String t = text.replace(" ", rep);
      boolean prepend = scheme.equals("always") || (scheme.equals("first") && first);
      if (prepend && !t.startsWith(rep)) {
        t = rep + t;
      }
      if (splitter == null) {
        out.piece(t, first);
      } else {
        splitter.apply(t, first, out);
      }
    };
  }
}
