package dev.llmj.data.tokenizer;

/**
 * One pre-tokenization step of a Hugging Face pipeline: takes a piece of normalized text and
 * passes on the pieces it becomes (split, rewritten or dropped). A piece knows whether it starts
 * at the very beginning of the input, which Metaspace's {@code prepend_scheme: "first"} needs.
 */
@FunctionalInterface
interface PiecePass {

  /** Receives the pieces a step produces. */
  @FunctionalInterface
  interface Sink {
    void piece(String text, boolean first);
  }

  void apply(String text, boolean first, Sink out);

  /** This step, then {@code next} on each of its pieces. */
  default PiecePass then(PiecePass next) {
    return (text, first, out) -> apply(text, first, (t, f) -> next.apply(t, f, out));
  }

  /** How a split treats the matches of its pattern (Hugging Face's {@code SplitDelimiterBehavior}). */
  enum Behavior {
    REMOVED("Removed"), ISOLATED("Isolated"), MERGED_WITH_PREVIOUS("MergedWithPrevious"),
    MERGED_WITH_NEXT("MergedWithNext"), CONTIGUOUS("Contiguous");

    final String json;

    Behavior(String json) {
      this.json = json;
    }
  }

  /** Splits each piece at the spans of {@code pattern}, as Hugging Face's {@code NormalizedString::split}. */
  static PiecePass split(SplitPattern pattern, Behavior behavior) {
    return (text, first, out) -> {
      IntList spans = new IntList(16); // start, end, keep (1) or drop (0)
      boolean[] previous = {false};
      pattern.find(text, (s, e, match) -> {
        int n = spans.size();
        switch (behavior) {
          case ISOLATED:
            add(spans, s, e, true);
            break;
          case REMOVED:
            add(spans, s, e, !match);
            break;
          case CONTIGUOUS:
            if (match == previous[0] && n > 0) {
              spans.set(n - 2, e);
            } else {
              add(spans, s, e, true);
            }
            break;
          case MERGED_WITH_PREVIOUS:
            if (match && !previous[0] && n > 0) {
              spans.set(n - 2, e);
            } else {
              add(spans, s, e, true);
            }
            break;
          case MERGED_WITH_NEXT:
            add(spans, s, e, match); // flag = match here; folded right to left below
            break;
          default:
            throw new IllegalStateException(behavior.toString());
        }
        previous[0] = match;
      });
      if (behavior == Behavior.MERGED_WITH_NEXT) {
        mergeWithNext(spans);
      }
      for (int i = 0; i < spans.size(); i += 3) {
        int s = spans.get(i);
        int e = spans.get(i + 1);
        if (spans.get(i + 2) == 1 && e > s) {
          out.piece(text.substring(s, e), first && s == 0);
        }
      }
    };
  }

  private static void add(IntList spans, int s, int e, boolean keep) {
    spans.add(s);
    spans.add(e);
    spans.add(keep ? 1 : 0);
  }

  /** A match joins the span after it, scanning right to left as Hugging Face does. */
  private static void mergeWithNext(IntList spans) {
    IntList folded = new IntList(spans.size());
    boolean previous = false;
    for (int i = spans.size() - 3; i >= 0; i -= 3) {
      boolean match = spans.get(i + 2) == 1;
      int n = folded.size();
      if (match && !previous && n > 0) {
        folded.set(n - 3, spans.get(i)); // extend the last folded span (the one to the right) leftwards
      } else {
        folded.add(spans.get(i));
        folded.add(spans.get(i + 1));
        folded.add(1);
      }
      previous = match;
    }
    spans.clear();
    for (int i = folded.size() - 3; i >= 0; i -= 3) {
      add(spans, folded.get(i), folded.get(i + 1), true);
    }
  }
}
