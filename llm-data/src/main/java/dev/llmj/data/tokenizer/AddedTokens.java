package dev.llmj.data.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A pipeline's added tokens and how Hugging Face finds them: before anything else, the raw text is
 * split at tokens with {@code normalized: false}; each remaining section is normalized and split
 * at tokens with {@code normalized: true} (matched in their normalized spelling). Matches are
 * leftmost-longest; {@code single_word} rejects a match touching a word character, {@code
 * lstrip}/{@code rstrip} take the whitespace beside it into the token.
 */
final class AddedTokens {

  /** One entry of {@code added_tokens}. */
  record Token(int id, String content, boolean special, boolean normalized, boolean lstrip,
      boolean rstrip, boolean singleWord) {}

  /** Receives the sections of a text in order: text to tokenize, or an added token's id. */
  interface Sections {
    void text(String text, boolean first);

    void token(int id);
  }

  private final Map<Integer, Token> byId = new HashMap<>();
  private final List<Token> inIdOrder;
  private final Matcher raw;
  private final Matcher normalized;

  AddedTokens(List<Token> tokens, UnaryOperator<String> normalizer) {
    List<Token> r = new ArrayList<>();
    List<Token> n = new ArrayList<>();
    for (Token t : tokens) {
      byId.put(t.id(), t);
      (t.normalized() ? n : r).add(t);
    }
    List<Token> sorted = new ArrayList<>(byId.values());
    sorted.sort(Comparator.comparingInt(Token::id));
    inIdOrder = List.copyOf(sorted);
    raw = new Matcher(r, UnaryOperator.identity());
    normalized = new Matcher(n, normalizer);
  }

  Token byId(int id) {
    return byId.get(id);
  }

  /** The added tokens in id order. */
  List<Token> tokens() {
    return inIdOrder;
  }

  /**
   * Splits {@code text} into sections; text sections come out normalized.
   *
   * @param matchSpecial whether special tokens are recognised; when not, their matches are skipped
   *     as Hugging Face's {@code encode_special_tokens} does
   */
  void split(String text, UnaryOperator<String> normalizer, boolean matchSpecial, Sections out) {
    raw.find(text, matchSpecial, (start, end, id) -> {
      if (id >= 0) {
        out.token(id);
        return;
      }
      if (end == start) {
        return;
      }
      String norm = normalizer.apply(text.substring(start, end));
      boolean first = start == 0;
      normalized.find(norm, matchSpecial, (s, e, nid) -> {
        if (nid >= 0) {
          out.token(nid);
        } else if (e > s) {
          out.text(norm.substring(s, e), first && s == 0);
        }
      });
    });
  }

  @FunctionalInterface
  private interface Found {
    /** A span of the text: an added token's id, or -1 for text between tokens. */
    void span(int start, int end, int id);
  }

  /** Leftmost-longest search for a set of patterns, first characters indexed. */
  private static final class Matcher {
    private final Token[] tokens;
    private final String[] patterns;
    private final Map<Character, int[]> byFirstChar = new HashMap<>();

    Matcher(List<Token> list, UnaryOperator<String> normalizer) {
      tokens = list.toArray(new Token[0]);
      patterns = new String[tokens.length];
      Map<Character, List<Integer>> groups = new HashMap<>();
      for (int i = 0; i < tokens.length; i++) {
        patterns[i] = normalizer.apply(tokens[i].content());
        if (!patterns[i].isEmpty()) {
          groups.computeIfAbsent(patterns[i].charAt(0), k -> new ArrayList<>()).add(i);
        }
      }
      groups.forEach((c, idx) -> byFirstChar.put(c, idx.stream()
          .sorted(Comparator.comparingInt((Integer i) -> -patterns[i].length()))
          .mapToInt(Integer::intValue).toArray()));
    }

    void find(String s, boolean matchSpecial, Found out) {
      int len = s.length();
      int startOffset = 0;
      int pos = 0;
      while (pos < len && !byFirstChar.isEmpty()) {
        int at = -1;
        int which = -1;
        for (int i = pos; i < len && at < 0; i++) {
          int[] cands = byFirstChar.get(s.charAt(i));
          if (cands != null) {
            for (int c : cands) {
              if (s.startsWith(patterns[c], i)) {
                at = i;
                which = c;
                break;
              }
            }
          }
        }
        if (at < 0) {
          break;
        }
        int matchEnd = at + patterns[which].length();
        pos = matchEnd;
        Token t = tokens[which];
        if (!matchSpecial && t.special()) {
          continue;
        }
        if (t.singleWord() && ((at > 0 && CharClass.isWordChar(s.codePointBefore(at)))
            || (matchEnd < len && CharClass.isWordChar(s.codePointAt(matchEnd))))) {
          continue;
        }
        int start = at;
        int stop = matchEnd;
        if (t.lstrip()) {
          int k = start;
          while (k > 0 && CharClass.isWhiteSpace(s.codePointBefore(k))) {
            k -= Character.charCount(s.codePointBefore(k));
          }
          start = Math.max(k, startOffset);
        }
        if (t.rstrip()) {
          while (stop < len && CharClass.isWhiteSpace(s.codePointAt(stop))) {
            stop += Character.charCount(s.codePointAt(stop));
          }
        }
        if (startOffset < start) {
          out.span(startOffset, start, -1);
        }
        out.span(start, stop, t.id());
        startOffset = stop;
      }
      if (startOffset < len || len == 0) {
        out.span(startOffset, len, -1);
      }
    }
  }

  @Override
  public String toString() {
    return Arrays.toString(tokens().stream().map(Token::content).toArray());
  }
}
