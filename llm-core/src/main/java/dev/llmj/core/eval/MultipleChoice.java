package dev.llmj.core.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Multiple-choice accuracy the evaluation-harness way: every choice is scored by the summed log-likelihood
 * of {@code " " + continuation} after the prompt; {@code acc} takes the argmax of the sums, {@code acc_norm}
 * the argmax of sum / {@link TaskItem#normLength} (characters of the choice). Ties go to the lower index.
 *
 * <pre>{@code
 * List<TaskItem> items = TaskFormat.ARC.read(Path.of("ARC-Easy-Test.jsonl"));
 * TaskResult r = MultipleChoice.evaluate("arc", items, FewShot.zeroShot(), new ModelScorer(lm, tok, 8));
 * r.metric("acc_norm").value();
 * }</pre>
 */
public final class MultipleChoice {

  private MultipleChoice() {}

  public static TaskResult evaluate(String task, List<TaskItem> items, FewShot fewShot, LoglikelihoodScorer scorer) {
    List<LoglikelihoodScorer.Request> requests = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      TaskItem item = items.get(i);
      String prefix = fewShot.prefix(items, i);
      for (int c = 0; c < item.choiceCount(); c++) {
        requests.add(new LoglikelihoodScorer.Request(prefix + item.context(c),
            TaskItem.TARGET_DELIMITER + item.continuation(c)));
      }
    }
    double[] flat = scorer.score(requests);
    if (flat.length != requests.size()) {
      throw new IllegalStateException("scorer returned " + flat.length + " scores for " + requests.size() + " requests");
    }
    double[][] perItem = new double[items.size()][];
    int at = 0;
    for (int i = 0; i < items.size(); i++) {
      int k = items.get(i).choiceCount();
      perItem[i] = java.util.Arrays.copyOfRange(flat, at, at + k);
      at += k;
    }
    return aggregate(task, items, perItem, fewShot.shots());
  }

  /** acc and acc_norm of items whose choices scored {@code logLikelihoods[item][choice]}. */
  public static TaskResult aggregate(String task, List<TaskItem> items, double[][] logLikelihoods, int shots) {
    int acc = 0;
    int accNorm = 0;
    for (int i = 0; i < items.size(); i++) {
      TaskItem item = items.get(i);
      double[] ll = logLikelihoods[i];
      if (ll.length != item.choiceCount()) {
        throw new IllegalArgumentException("item " + item.id() + " has " + item.choiceCount() + " choices but "
            + ll.length + " scores");
      }
      double[] norm = new double[ll.length];
      for (int c = 0; c < ll.length; c++) {
        norm[c] = ll[c] / item.normLength(c);
      }
      acc += argmax(ll) == item.gold() ? 1 : 0;
      accNorm += argmax(norm) == item.gold() ? 1 : 0;
    }
    int n = items.size();
    return new TaskResult(task, n, shots, List.of(Metric.proportion("acc", acc, n),
        Metric.proportion("acc_norm", accNorm, n)));
  }

  static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
