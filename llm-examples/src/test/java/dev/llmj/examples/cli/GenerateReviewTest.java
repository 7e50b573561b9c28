package dev.llmj.examples.cli;

import dev.llmj.core.run.Html;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.core.run.SampleReview;
import dev.llmj.data.tokenizer.BpeTokenizer;
import dev.llmj.data.tokenizer.BpeTrainer;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm generate --prompts FILE --samples K --output DIR}: samples.jsonl against the library, review.html. */
class GenerateReviewTest {
  static final long SEED = Long.getLong("tests.seed", 2024L);
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NL = System.lineSeparator();

  @TempDir Path dir;
  Tokenizer tok;
  LanguageModel lm;
  Path model;
  Path tokenizer;

  @BeforeEach
  void tinyModel() throws Exception {
    // A small vocabulary keeps sampling cheap: every token sorts the whole vocabulary.
    BpeTokenizer small = new BpeTrainer(BpeTrainer.Config.of(320)).train(Stream.of(
        "Fellow citizens of the Senate and House of Representatives: the state of the Union is strong.",
        "We the people of the United States, in order to form a more perfect Union, establish justice."));
    tokenizer = dir.resolve("tokenizer.json");
    small.save(tokenizer);
    tok = Tokenizers.load(tokenizer);
    lm = LanguageModel.create(ModelConfig.of(Architecture.GPT2, tok.vocabSize(), 128, 2, 2, 16), SEED);
    model = dir.resolve("gpt2-tiny");
    lm.exportHuggingFace(model);
    System.out.println("model seed " + SEED + " (reproduce with -Dtests.seed=" + SEED + ")");
  }

  private ModelCommandsTest.Result generate(String... extra) {
    List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--tokenizer",
        tokenizer.toString()));
    args.addAll(List.of(extra));
    return ModelCommandsTest.run(args.toArray(String[]::new));
  }

  private static List<JsonNode> readJsonl(Path file) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void everySampleMatchesTheLibraryAndOneReproducesWithPrompt() throws Exception {
    List<String> prompts = List.of("The state of the Union", "Fellow citizens", "", "We the people");
    Path txt = dir.resolve("prompts.txt");
    // Blank lines are skipped; the empty prompt is written in JSONL form below instead.
    Files.writeString(txt, "The state of the Union\n\nFellow citizens\n   \nWe the people\n");
    Path jsonl = dir.resolve("prompts.jsonl");
    Files.writeString(jsonl, "{\"prompt\": \"The state of the Union\"}\n{\"prompt\": \"Fellow citizens\", \"id\": 7}\n"
        + "\n{\"prompt\": \"\"}\n{\"prompt\": \"We the people\"}\n");
    long base = 99;
    String[] sampling = {"--samples", "3", "--max-tokens", "10", "--temperature", "0.9", "--top-k", "50",
        "--top-p", "0.95", "--repetition-penalty", "1.1", "--seed", String.valueOf(base)};
    Path out = dir.resolve("review");
    ModelCommandsTest.Result r = generate(concat(new String[] {"--prompts", jsonl.toString(), "--output",
        out.toString()}, sampling));
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out(), "the sheet mode prints nothing to stdout");
    assertTrue(r.err().contains("review.html"), r.err());
    List<JsonNode> lines = readJsonl(out.resolve("samples.jsonl"));
    assertEquals(prompts.size() * 3, lines.size());
    Set<Long> seeds = new HashSet<>();
    int eot = tok.endOfTextId();
    int n = 0;
    for (int i = 0; i < prompts.size(); i++) {
      for (int j = 0; j < 3; j++, n++) {
        JsonNode x = lines.get(n);
        assertEquals(i, x.path("prompt_index").asInt());
        assertEquals(j, x.path("sample_index").asInt());
        assertEquals(prompts.get(i), x.path("prompt").asText());
        long seed = x.path("seed").asLong();
        assertEquals(SampleReview.sampleSeed(base, i, j), seed);
        seeds.add(seed);
        JsonNode s = x.path("settings");
        assertEquals(10, s.path("max_tokens").asInt());
        assertEquals(0.9, s.path("temperature").asDouble());
        assertEquals(50, s.path("top_k").asInt());
        assertEquals(0.95, s.path("top_p").asDouble());
        assertEquals(1.1, s.path("repetition_penalty").asDouble());
        assertEquals(base, s.path("seed").asLong());
        // The library called directly with the recorded seed gives the recorded text, length and stop.
        int[] ids = prompts.get(i).isEmpty() ? new int[] {eot} : tok.encode(prompts.get(i));
        int[] all = lm.generate(ids, new GenerationConfig(10, 0.9, 50, 0.95, 1.1, new int[] {eot}, seed), null);
        int[] fresh = Arrays.copyOfRange(all, ids.length, all.length);
        boolean stopped = fresh.length > 0 && fresh[fresh.length - 1] == eot;
        int[] text = stopped ? Arrays.copyOf(fresh, fresh.length - 1) : fresh;
        assertEquals(tok.decode(text), x.path("completion").asText(), "prompt " + i + " sample " + j);
        assertEquals(text.length, x.path("tokens").asInt());
        assertEquals(stopped ? "end_of_text" : "max_tokens", x.path("stop").asText());
      }
    }
    assertEquals(lines.size(), seeds.size(), "every sample has its own seed");
    assertEquals(base, SampleReview.sampleSeed(base, 0, 0), "sample 0 of prompt 0 keeps the base seed");
    long distinctTexts = lines.stream().map(x -> x.path("completion").asText()).distinct().count();
    System.out.println(lines.size() + " samples, " + distinctTexts + " distinct texts; first: "
        + lines.get(0).path("completion").asText());
    assertTrue(distinctTexts > lines.size() / 2, "different seeds give different text");

    // One sample reproduced alone: --prompt with its recorded seed prints the recorded completion.
    JsonNode pick = lines.get(3 * 1 + 2);
    ModelCommandsTest.Result again = generate("--prompt", pick.path("prompt").asText(), "--max-tokens", "10",
        "--temperature", "0.9", "--top-k", "50", "--top-p", "0.95", "--repetition-penalty", "1.1",
        "--seed", pick.path("seed").asText());
    assertEquals(0, again.code(), again.err());
    assertEquals(pick.path("completion").asText() + NL, again.out());
    // --prompt with --samples K prints the samples of prompt index 0, one after another.
    ModelCommandsTest.Result two = generate(concat(new String[] {"--prompt", prompts.get(0)},
        sampling));
    assertEquals(0, two.code(), two.err());
    assertEquals(lines.get(0).path("completion").asText() + NL + lines.get(1).path("completion").asText() + NL
        + lines.get(2).path("completion").asText() + NL, two.out());
    assertTrue(two.err().contains("sample 2/3 seed " + SampleReview.sampleSeed(base, 0, 1)), two.err());

    // The .txt form of the same prompts (minus the empty one) gives the same samples for the same indices.
    Path outTxt = dir.resolve("review-txt");
    ModelCommandsTest.Result t = generate(concat(new String[] {"--prompts", txt.toString(), "--output",
        outTxt.toString()}, sampling));
    assertEquals(0, t.code(), t.err());
    List<JsonNode> txtLines = readJsonl(outTxt.resolve("samples.jsonl"));
    assertEquals(3 * 3, txtLines.size());
    for (int j = 0; j < 6; j++) {
      assertEquals(lines.get(j), txtLines.get(j));
    }
    assertTrue(Files.readString(outTxt.resolve("review.html")).contains("Prompt 3 <small>of 3</small>"));
  }

  @Test
  void reviewSheetEscapesEveryTextAndHasItsControls() throws Exception {
    String hostile = "<script>alert('x')</script> & \"quoted\" <b>bold</b>";
    Path prompts = dir.resolve("hostile.jsonl");
    Files.writeString(prompts, JSON.createObjectNode().put("prompt", hostile).toString() + "\n");
    Path out = dir.resolve("sheet");
    ModelCommandsTest.Result r = generate("--prompts", prompts.toString(), "--samples", "4", "--max-tokens", "8",
        "--temperature", "1.5", "--seed", "3", "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    String html = Files.readString(out.resolve("review.html"));
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt;"),
        "the prompt appears escaped");
    assertFalse(html.contains("<script>alert"), "no prompt text reaches the page as markup");
    assertFalse(html.contains("<b>bold"), "no prompt text reaches the page as markup");
    assertEquals(1, html.split("<script", -1).length - 1, "the page's own script is the only one");
    assertFalse(html.matches("(?s).*(src|href)=\"?(https?:)?//.*"), "nothing is fetched from the network");
    List<JsonNode> lines = readJsonl(out.resolve("samples.jsonl"));
    assertEquals(4, lines.size());
    int angle = 0;
    for (JsonNode x : lines) {
      String completion = x.path("completion").asText();
      angle += completion.matches("(?s).*[<>&\"'].*") ? 1 : 0;
      assertTrue(completion.isEmpty() || html.contains(Html.escape(completion)), "completion shown escaped");
      assertTrue(html.contains("seed " + x.path("seed").asLong()), "each sample's seed is shown");
      String id = "m0-" + x.path("sample_index").asInt();
      assertTrue(html.contains("id=" + id + " data-p=0 data-s=" + x.path("sample_index").asInt()), id);
      assertEquals(2, html.split("name=" + id + " value=", -1).length - 1, "good and bad for " + id);
    }
    System.out.println(angle + " of 4 completions hold characters that need escaping");
    assertTrue(html.contains(Html.escape(model.toString())), "the model path is on the page");
    for (String control : new String[] {"id=export", "localStorage", "Blob", "value=good", "value=bad", "class=note"}) {
      assertTrue(html.contains(control), control);
    }
    assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", Html.escape("<a href=\"x\">&'"));
  }

  /** A head whose greedy choice is always "<": the model's own text must reach the page escaped too. */
  @Test
  void modelTextIsEscaped() throws Exception {
    ModelCommandsTest.alwaysPrefer(lm, tok.encode("<")[0]);
    Path angry = dir.resolve("angle");
    lm.save(angry);
    model = angry;
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "x\n");
    Path out = dir.resolve("sheet");
    ModelCommandsTest.Result r = generate("--prompts", prompts.toString(), "--max-tokens", "6", "--temperature", "0",
        "--seed", "1", "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode x = readJsonl(out.resolve("samples.jsonl")).get(0);
    assertEquals("<".repeat(6), x.path("completion").asText());
    String html = Files.readString(out.resolve("review.html"));
    assertTrue(html.contains("</span>&lt;&lt;&lt;&lt;&lt;&lt;</div>"), "completion escaped");
    assertFalse(html.contains("<<"));
  }

  @Test
  void badUsageNamesTheFileLineOrOption() throws Exception {
    Path missing = dir.resolve("nope.txt");
    ModelCommandsTest.Result r = generate("--prompts", missing.toString(), "--output", dir.resolve("o1").toString());
    expectUsage(r, missing.toString());

    Path ok = dir.resolve("ok.txt");
    Files.writeString(ok, "Hello\n");
    expectUsage(generate("--prompts", ok.toString()), "--prompts needs --output");
    expectUsage(generate("--prompt", "Hi", "--prompts", ok.toString(), "--output", dir.resolve("o2").toString()),
        "mutually exclusive");
    expectUsage(generate("--max-tokens", "3"), "--prompt");

    Path badJson = dir.resolve("bad.jsonl");
    Files.writeString(badJson, "{\"prompt\": \"fine\"}\n\n{\"prompt\": oops}\n");
    expectUsage(generate("--prompts", badJson.toString(), "--output", dir.resolve("o3").toString()), badJson + ":3");
    Path noField = dir.resolve("nofield.jsonl");
    Files.writeString(noField, "{\"prompt\": \"fine\"}\n{\"text\": \"no prompt\"}\n");
    expectUsage(generate("--prompts", noField.toString(), "--output", dir.resolve("o4").toString()),
        noField + ":2 has no string field \"prompt\"");
    Path blank = dir.resolve("blank.txt");
    Files.writeString(blank, "\n  \n");
    expectUsage(generate("--prompts", blank.toString(), "--output", dir.resolve("o5").toString()), "holds no prompt");
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
    expectUsage(generate("--prompts", latin1.toString(), "--output", dir.resolve("o6").toString()),
        latin1 + ":2 is not UTF-8");
    Path long1 = dir.resolve("long.txt");
    Files.writeString(long1, "short\n" + "word ".repeat(40) + "\n");
    expectUsage(generate("--prompts", long1.toString(), "--max-tokens", "100", "--output",
        dir.resolve("o7").toString()), long1 + ":2: the prompt is ");
    expectUsage(generate("--prompts", ok.toString(), "--samples", "0", "--output", dir.resolve("o8").toString()),
        "--samples 0 must be at least 1");

    Path used = dir.resolve("used");
    assertEquals(0, generate("--prompts", ok.toString(), "--max-tokens", "2", "--seed", "1", "--output",
        used.toString()).code());
    expectUsage(generate("--prompts", ok.toString(), "--seed", "1", "--output", used.toString()), "already holds");
  }

  private static void expectUsage(ModelCommandsTest.Result r, String expected) {
    System.out.print("exit " + r.code() + ": " + r.err().lines().findFirst().orElse("") + NL);
    assertEquals(Llm.EXIT_USAGE, r.code(), r.err());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    assertEquals("", r.out());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
