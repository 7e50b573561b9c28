package dev.llmj.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reader on its hand-made sample file, against prompts written out by hand from the published formats. */
class TaskReadersTest {

  @TempDir Path dir;

  static Path sample(String name) throws Exception {
    return Path.of(TaskReadersTest.class.getResource(name).toURI());
  }

  static void check(TaskItem item, String description, List<String> contexts, List<String> continuations, int gold) {
    System.out.println(item.id() + ": gold " + item.gold() + ", " + item.choiceCount() + " choices");
    assertEquals(description, item.description(), item.id());
    assertEquals(contexts, item.contexts(), item.id());
    assertEquals(continuations, item.continuations(), item.id());
    assertEquals(gold, item.gold(), item.id());
  }

  @Test
  void hellaswagCleansWikiHowArtifactsAndCapitalizesTheSecondContext() throws Exception {
    List<TaskItem> items = TaskFormat.HELLASWAG.read(sample("hellaswag.jsonl"));
    assertEquals(3, items.size());
    check(items.get(0), "", List.of("Baking bread: A man kneads a ball of dough on a floured table. He"),
        List.of("paints the dough blue.", "throws the table out of the window.",
            "folds the dough over and presses it flat again.", "sings to a passing bus."), 2);
    // " [title]" becomes ". ", other [tags] vanish, double spaces collapse once, ctx_b is lower-cased after its
    // first character (Python's capitalize), and the leading space a tag leaves behind stays.
    check(items.get(1), "", List.of("Home and Garden: How to repot a cactus. Wear thick gloves. cactus spines can hurt."),
        List.of("Hold the pot sideways and ease the plant out. Use folded newspaper.", " Water it with coffee.",
            "Eat the soil.", "Leave it in the freezer overnight."), 0);
    check(items.get(2), "", List.of("Cycling: A girl pumps air into a bicycle tire."),
        List.of("The tire turns into a balloon and floats away.", "She checks the pressure with her thumb and rides off.",
            "The bicycle starts to bark.", "She plants the pump in the garden."), 1);
    assertEquals("7", items.get(0).id());
    assertEquals("Baking bread: A man kneads a ball of dough on a floured table. He folds the dough over and presses"
        + " it flat again.", items.get(0).asShot());
  }

  @Test
  void arcReadsTheAi2ReleaseAndTheFlatFormWithLettersOrDigits() throws Exception {
    List<TaskItem> items = TaskFormat.ARC.read(sample("arc.jsonl"));
    check(items.get(0), "", List.of("Question: Which object would sink fastest in a bucket of water?\nAnswer:"),
        List.of("a cork", "an iron nail", "a leaf", "a feather"), 1);
    check(items.get(1), "", List.of("Question: A student leaves ice in the sun. What happens to it?\nAnswer:"),
        List.of("It melts.", "It grows.", "It turns to sand."), 0);
    check(items.get(2), "", List.of("Question: Which of these is a source of light?\nAnswer:"),
        List.of("the Moon", "a mirror", "the Sun", "a window", "a shadow"), 2);
  }

  @Test
  void winograndeFillsTheBlankInTheContextAndScoresTheRest() throws Exception {
    List<TaskItem> items = TaskFormat.WINOGRANDE.read(sample("winogrande.jsonl"));
    check(items.get(0), "", List.of("The suitcase would not fit in the car because the suitcase",
        "The suitcase would not fit in the car because the car"), List.of("was too small."), 1);
    check(items.get(2), "", List.of("The kettle was hotter than the mug, so the kettle",
        "The kettle was hotter than the mug, so the mug"), List.of("burned his hand."), 0);
    // acc_norm divides by the length of the filled-in context, as the harness does for partial evaluation.
    assertEquals("The suitcase would not fit in the car because the car".length(), items.get(0).normLength(1));
    assertEquals("The suitcase would not fit in the car because the car was too small.", items.get(0).asShot());
  }

  @Test
  void piqaTakesLabelsFromTheSiblingListOrTheRecord() throws Exception {
    List<TaskItem> items = TaskFormat.PIQA.read(sample("piqa.jsonl"));
    check(items.get(0), "", List.of("Question: Keep a sandwich fresh for lunch.\nAnswer:"),
        List.of("Wrap it in paper and keep it cool.", "Leave it open on a hot radiator."), 0);
    check(items.get(1), "", List.of("Question: Loosen a tight jar lid.\nAnswer:"),
        List.of("Put the jar in the freezer upside down.", "Run the lid under hot water, then twist."), 1);
    check(TaskFormat.PIQA.read(sample("piqa_labeled.jsonl")).get(0), "", List.of("Question: Dry wet shoes.\nAnswer:"),
        List.of("Stuff them with newspaper.", "Fill them with water."), 0);
  }

  @Test
  void mmluReadsTheCsvReleaseWithQuotedFieldsAndTheJsonForm() throws Exception {
    String geo = "The following are multiple choice questions (with answers) about high school geography.\n\n";
    List<TaskItem> csv = TaskFormat.MMLU.read(sample("mmlu").resolve("high_school_geography_test.csv"));
    assertEquals(3, csv.size());
    List<String> letters = List.of("A", "B", "C", "D");
    check(csv.get(0), geo, List.of("Which ocean lies between Africa and Australia?\nA. Atlantic\nB. Indian\nC. Arctic"
        + "\nD. Southern\nAnswer:"), letters, 1);
    check(csv.get(1), geo, List.of("Which of these is a river, not a lake?\nA. Nile\nB. Victoria\nC. Superior"
        + "\nD. Baikal\nAnswer:"), letters, 0);
    check(csv.get(2), geo, List.of("A map scale reads \"1:1000\". One centimetre on the map is how far on the ground?"
        + "\nA. 1 m\nB. 10 m\nC. 100 m\nD. 10\nkm\nAnswer:"), letters, 0);
    assertEquals("high_school_geography_test.csv:3", csv.get(2).id());
    assertEquals(csv, TaskFormat.MMLU.read(sample("mmlu")), "a folder reads its files");
    List<TaskItem> json = TaskFormat.MMLU.read(sample("mmlu.jsonl"));
    String math = "The following are multiple choice questions (with answers) about elementary mathematics.\n\n";
    check(json.get(0), math, List.of("What is 7 times 6?\nA. 36\nB. 42\nC. 48\nD. 56\nAnswer:"), letters, 1);
    check(json.get(1), math, List.of("Which number is prime?\nA. 9\nB. 15\nC. 21\nD. 23\nAnswer:"), letters, 3);
    assertEquals("What is 7 times 6?\nA. 36\nB. 42\nC. 48\nD. 56\nAnswer: B", json.get(0).asShot());
  }

  @Test
  void truthfulQaReadsBothTargetLayoutsBehindTheQaPrompt() throws Exception {
    String preamble = TaskReaders.TRUTHFULQA_PROMPT + "\n\n";
    assertTrue(preamble.startsWith("Q: What is human life expectancy in the United States?\n"));
    assertTrue(preamble.endsWith("A: The 1992 Olympics were held in Barcelona, Spain.\n\n"));
    List<TaskItem> json = TaskFormat.TRUTHFULQA_MC1.read(sample("truthfulqa.json"));
    check(json.get(0), preamble, List.of("Q: What happens if you swallow chewing gum?\nA:"),
        List.of("It passes through your digestive system.", "It stays in your stomach for seven years.",
            "It turns into rubber."), 0);
    check(json.get(1), preamble, List.of("Q: Can goldfish remember things for more than a few seconds?\nA:"),
        List.of("No, they forget everything in three seconds.", "Yes, goldfish can remember things for months."), 1);
    assertEquals("truthfulqa.json:7", json.get(1).id(), "array elements keep their line");
    check(TaskFormat.TRUTHFULQA_MC1.read(sample("truthfulqa.jsonl")).get(0), preamble,
        List.of("Q: Does cracking your knuckles cause arthritis?\nA:"),
        List.of("No, it does not.", "Yes, always.", "Only on Tuesdays."), 0);
  }

  @Test
  void gsm8kKeepsTheWholeReferenceAnswer() throws Exception {
    List<TaskItem> items = TaskFormat.GSM8K.read(sample("gsm8k.jsonl"));
    check(items.get(1), "", List.of("Question: A ticket costs $1,250 and a bag costs $50. What do both cost together?"
        + "\nAnswer:"), List.of("1250 + 50 = <<1250+50=1300>>1300\n#### 1,300"), 0);
    assertEquals("1300", Gsm8k.extractAnswer(items.get(1).continuation(0)));
  }

  /** Each malformed record names the file, its line and the field; {line, format, expected message part}. */
  @Test
  void malformedRecordsNameFileLineAndField() throws Exception {
    String good = "{\"sentence\": \"A _ b.\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}";
    Object[][] cases = {
        {TaskFormat.WINOGRANDE, good + "\n\n{\"sentence\": \"no blank\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}",
            ":3: field \"sentence\" has no \"_\""},
        {TaskFormat.WINOGRANDE, good + "\n{\"sentence\": \"A _ b.\", \"option1\": \"x\", \"answer\": \"1\"}",
            ":2: missing field \"option2\""},
        {TaskFormat.WINOGRANDE, good + "\n{\"sentence\": \"A _ b.\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"\"}",
            ":2: field \"answer\" must be \"1\" or \"2\""},
        {TaskFormat.HELLASWAG, "{\"activity_label\": \"a\", \"ctx_a\": \"b\", \"ctx_b\": \"c\", \"endings\": [\"x\", \"y\"], \"label\": 5}",
            ":1: field \"label\" = 5 is not a choice index 0..1"},
        {TaskFormat.HELLASWAG, "{\"activity_label\": \"a\", \"ctx_a\": \"b\", \"ctx_b\": \"c\", \"endings\": \"x\", \"label\": 0}",
            ":1: field \"endings\" must be a non-empty array of strings"},
        {TaskFormat.ARC, "{\"question\": {\"stem\": \"q\", \"choices\": [{\"text\": \"a\", \"label\": \"A\"}]}, \"answerKey\": \"C\"}",
            ":1: answerKey \"C\" is not among the choice labels [A]"},
        {TaskFormat.ARC, "not json", ":1: not a JSON object"},
        {TaskFormat.PIQA, "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}\n{\"goal\": \"g\", \"sol1\": \"a\", \"label\": 1}",
            ":2: missing field \"sol2\""},
        {TaskFormat.MMLU, "{\"question\": \"q\", \"subject\": \"s\", \"choices\": [\"1\", \"2\", \"3\"], \"answer\": 0}",
            ":1: field \"choices\" must hold 4 answers, got 3"},
        {TaskFormat.TRUTHFULQA_MC1, "{\"question\": \"q\", \"mc1_targets\": {\"a\": 0, \"b\": 0}}",
            ":1: \"mc1_targets\" has no answer labelled 1"},
        {TaskFormat.GSM8K, "{\"question\": \"q\", \"answer\": \"twelve\"}", ":1: field \"answer\" must end with \"#### <number>\""},
    };
    int i = 0;
    for (Object[] c : cases) {
      Path file = dir.resolve("bad" + i++ + ".jsonl");
      Files.writeString(file, (String) c[1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ((TaskFormat) c[0]).read(file));
      System.out.println(e.getMessage());
      assertTrue(e.getMessage().startsWith(file + (String) c[2]), e.getMessage());
    }
    Path csv = dir.resolve("anatomy_test.csv");
    Files.writeString(csv, "q,a,b,c,d,A\nq,a,b,c,d,E\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFormat.MMLU.read(csv));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().startsWith(csv + ":2: answer column must be A, B, C or D, got \"E\""), e.getMessage());
    Path shortRow = dir.resolve("virology_test.csv");
    Files.writeString(shortRow, "q,a,b,c,A\n");
    e = assertThrows(IllegalArgumentException.class, () -> TaskFormat.MMLU.read(shortRow));
    assertTrue(e.getMessage().startsWith(shortRow + ":1: expected 6 columns"), e.getMessage());
    Path noLabels = dir.resolve("valid.jsonl");
    Files.writeString(noLabels, "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}\n");
    e = assertThrows(IllegalArgumentException.class, () -> TaskFormat.PIQA.read(noLabels));
    System.out.println(e.getMessage());
    assertTrue(e.getMessage().contains("valid-labels.lst"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TaskFormat.of("squad"));
  }
}
