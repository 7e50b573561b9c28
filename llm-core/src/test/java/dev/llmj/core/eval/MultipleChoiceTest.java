package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** acc and acc_norm on hand-computed log-likelihoods, the requests the task builds, and few-shot prefixes. */
class MultipleChoiceTest {

  static TaskItem item(String id, int gold, String... choices) {
    return new TaskItem(id, "", List.of("Q " + id + ":"), List.of(choices), gold);
  }

  @Test
  void accTakesTheLargestSumAndAccNormTheLargestSumPerCharacter() {
    List<TaskItem> items = List.of(
        item("a", 1, "x", "yyyy"),        // ll -2, -4: acc picks 0; per char -2, -1: norm picks 1 (gold)
        item("b", 0, "xx", "y", "zzz"),   // ll -1, -3, -6: both pick 0 (gold)
        item("c", 2, "x", "y", "zz"),     // ll -1, -1, -2: tie goes to 0; per char -1, -1, -1: tie goes to 0
        item("d", 0, "xxxxxx", "y"));     // ll -3, -1: acc picks 1; per char -0.5, -1: norm picks 0 (gold)
    double[][] ll = {{-2, -4}, {-1, -3, -6}, {-1, -1, -2}, {-3, -1}};
    TaskResult r = MultipleChoice.aggregate("t", items, ll, 0);
    System.out.println(r);
    assertEquals(4, r.n());
    assertEquals(0.25, r.metric("acc").value(), 0);
    assertEquals(0.75, r.metric("acc_norm").value(), 0);
    assertEquals(Math.sqrt(0.25 * 0.75 / 3), r.metric("acc").stderr(), 1e-15);
    assertEquals(Math.sqrt(0.75 * 0.25 / 3), r.metric("acc_norm").stderr(), 1e-15);
    // Length in characters counts code points, as Python's len does.
    assertEquals(2, item("e", 0, "\uD83D\uDE00\uD83D\uDE00").normLength(0));
    assertThrows(IllegalArgumentException.class, () -> MultipleChoice.aggregate("t", items.subList(0, 1),
        new double[][] {{1, 2, 3}}, 0));
  }

  @Test
  void evaluateScoresDelimitedChoicesAfterThePrefixAndAggregates() {
    List<TaskItem> items = List.of(
        new TaskItem("m1", "About things.\n\n", List.of("Q1\nAnswer:"), List.of("A", "B"), 1),
        new TaskItem("m2", "About things.\n\n", List.of("Q2\nAnswer:"), List.of("A", "B"), 0),
        new TaskItem("w", "", List.of("It was x", "It was yy"), List.of("then."), 0));
    List<LoglikelihoodScorer.Request> seen = new ArrayList<>();
    // A scorer that likes requests whose context ends in "1\nAnswer:" for "B", and short contexts otherwise.
    LoglikelihoodScorer fake = requests -> {
      seen.addAll(requests);
      return requests.stream().mapToDouble(q -> q.context().endsWith("1\nAnswer:") && q.continuation().equals(" B")
          ? 0 : -q.context().length() - q.continuation().length()).toArray();
    };
    TaskResult r = MultipleChoice.evaluate("mixed", items, FewShot.zeroShot(), fake);
    assertEquals(List.of(
        new LoglikelihoodScorer.Request("About things.\n\nQ1\nAnswer:", " A"),
        new LoglikelihoodScorer.Request("About things.\n\nQ1\nAnswer:", " B"),
        new LoglikelihoodScorer.Request("About things.\n\nQ2\nAnswer:", " A"),
        new LoglikelihoodScorer.Request("About things.\n\nQ2\nAnswer:", " B"),
        new LoglikelihoodScorer.Request("It was x", " then."),
        new LoglikelihoodScorer.Request("It was yy", " then.")), seen);
    System.out.println(r);
    assertEquals(1.0, r.metric("acc").value(), 0);
  }

  @Test
  void fewShotDrawsSeededDistinctExamplesOtherThanTheItemBetweenDescriptionAndItem() {
    List<TaskItem> items = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      items.add(new TaskItem("i" + i, "Intro.\n\n", List.of("Q" + i + ":"), List.of("a" + i, "b" + i), i % 2));
    }
    FewShot three = new FewShot(3, null, 1234);
    Set<String> prefixes = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String p = three.prefix(items, i);
      assertEquals(p, three.prefix(items, i), "same seed, same draw");
      assertTrue(p.startsWith("Intro.\n\n"), p);
      assertTrue(p.endsWith("\n\n"), p);
      String[] shots = p.substring("Intro.\n\n".length(), p.length() - 2).split("\n\n");
      assertEquals(3, shots.length, p);
      assertEquals(3, new HashSet<>(List.of(shots)).size(), "distinct examples: " + p);
      for (String s : shots) {
        int k = Integer.parseInt(s.substring(1, s.indexOf(':')));
        assertNotEquals(i, k, "the item itself is never its own example");
        assertEquals(items.get(k).asShot(), s);
      }
      prefixes.add(p);
    }
    assertTrue(prefixes.size() > 6, "draws differ between items: " + prefixes.size());
    assertNotEquals(three.prefix(items, 0), new FewShot(3, null, 99).prefix(items, 0));
    List<TaskItem> pool = items.subList(0, 4);
    String fromPool = new FewShot(3, pool, 7).prefix(items, 1);
    for (TaskItem p : pool) {
      assertEquals(p != items.get(1), fromPool.contains(p.asShot()), "a pool holding the item skips it: " + fromPool);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FewShot(3, null, 1).prefix(items.subList(0, 3), 0));
    assertTrue(e.getMessage().contains("has only 2"), e.getMessage());
    assertEquals("Intro.\n\n", FewShot.zeroShot().prefix(items, 0));
  }
}
