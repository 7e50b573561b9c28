package dev.llmj.core.eval;

import java.util.List;

/**
 * One item of an evaluation task, already in its prompt format. Choice {@code i} is scored as the
 * log-likelihood of {@code " " + continuation(i)} after {@code prefix + context(i)}, where the prefix is
 * the {@link #description} followed by any few-shot examples.
 *
 * <p>Most tasks have one context and one continuation per choice. Partial evaluation (Winogrande) is the
 * other way round: one context per choice and one shared continuation. A generation task (GSM8K) has one
 * context and its reference answer as the single continuation, with {@code gold} 0.
 *
 * <pre>{@code
 * TaskItem q = new TaskItem("q1", "", List.of("Question: Which is a fruit?\nAnswer:"), List.of("a pear", "a chair"), 0);
 * q.context(1);    // "Question: Which is a fruit?\nAnswer:"
 * q.asShot();      // "Question: Which is a fruit?\nAnswer: a pear"
 * }</pre>
 *
 * @param id the item's id in its file, or {@code file:line}
 * @param description text placed once before the few-shot examples (MMLU's subject line), often empty
 * @param contexts one context, or one per choice
 * @param continuations one continuation per choice, or one shared by all choices
 * @param gold index of the correct choice
 */
public record TaskItem(String id, String description, List<String> contexts, List<String> continuations, int gold) {

  /** Between the context and the continuation, as in the evaluation harness's {@code target_delimiter}. */
  public static final String TARGET_DELIMITER = " ";

  public TaskItem {
    contexts = List.copyOf(contexts);
    continuations = List.copyOf(continuations);
    if (contexts.isEmpty() || continuations.isEmpty()) {
      throw new IllegalArgumentException("item " + id + " needs at least one context and one continuation");
    }
    if (contexts.size() > 1 && continuations.size() > 1) {
      throw new IllegalArgumentException("item " + id + " has " + contexts.size() + " contexts and "
          + continuations.size() + " continuations; one side must hold a single entry");
    }
    int n = Math.max(contexts.size(), continuations.size());
    if (gold < 0 || gold >= n) {
      throw new IllegalArgumentException("item " + id + ": gold index " + gold + " is outside [0, " + n + ")");
    }
    description = description == null ? "" : description;
  }

  public int choiceCount() {
    return Math.max(contexts.size(), continuations.size());
  }

  public String context(int choice) {
    return contexts.get(contexts.size() == 1 ? 0 : choice);
  }

  public String continuation(int choice) {
    return continuations.get(continuations.size() == 1 ? 0 : choice);
  }

  /**
   * Characters (code points) of the part that differs between choices: the continuation, or the context
   * under partial evaluation. {@code acc_norm} divides the log-likelihood by it, as the harness does.
   */
  public int normLength(int choice) {
    String s = continuations.size() > 1 || contexts.size() == 1 ? continuation(choice) : context(choice);
    return Math.max(1, s.codePointCount(0, s.length()));
  }

  /** This item with its correct answer filled in, as a few-shot example. */
  public String asShot() {
    return context(gold) + TARGET_DELIMITER + continuation(gold);
  }
}
