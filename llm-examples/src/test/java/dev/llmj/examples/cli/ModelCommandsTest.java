package dev.llmj.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.Architecture;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.model.ModelConfig;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** llm score, upscale and generate, run in-process on tiny models saved in both formats. */
class ModelCommandsTest {
  static final long SEED = Long.getLong("tests.seed", 77L);
  static final Path GPT2_TOKENIZER = Path.of("../llm-data/src/main/resources/dev/llmj/data/tokenizer/gpt2");
  static final String NL = System.lineSeparator();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Llm.run(args);
      return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static ModelConfig tiny(Architecture a, int vocab) {
    ModelConfig c = ModelConfig.of(a, vocab, 32, 3, 2, 16);
    return a == Architecture.LLAMA ? c.withKvHeads(1) : c;
  }

  @Test
  void scoreMatchesTheModelsLossForEveryKindOfFolder() throws Exception {
    int[] ids = {3, 17, 4, 4, 9, 0, 21};
    String idText = "3 17 4,4 9  0 21";
    for (Architecture a : Architecture.values()) {
      LanguageModel m = LanguageModel.create(tiny(a, 23), SEED);
      double expected = m.loss(ids);
      Path hf = dir.resolve(a.id() + "-hf");
      m.exportHuggingFace(hf);
      Path run = dir.resolve(a.id() + "-run");
      m.save(run.resolve("checkpoints/step-00000005"));
      for (Path p : new Path[] {hf, run, run.resolve("checkpoints"), run.resolve("checkpoints/step-00000005")}) {
        Result r = run("score", "--model", p.toString(), "--ids", idText);
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("loss="), r.out());
        double printed = Double.parseDouble(r.out().strip().substring("loss=".length()));
        System.out.printf(Locale.ROOT, "%s %s: printed %.6f, LanguageModel.loss %.9f, difference %.2g%n", a.id(),
            dir.relativize(p), printed, expected, printed - expected);
        assertEquals(expected, printed, 5e-7);
      }
    }
  }

  @Test
  void scoreRejectsBadIdsNamingTheValue() throws Exception {
    Path model = dir.resolve("m");
    LanguageModel.create(tiny(Architecture.GPT2, 23), SEED).save(model);
    String[][] cases = {{"1 x 3", "'x'"}, {"1 23", "23"}, {"1 -4", "-4"}, {"5", "at least 2"}, {"", "at least 2"}};
    for (String[] c : cases) {
      Result r = run("score", "--model", model.toString(), "--ids", c[0]);
      System.out.print("score --ids '" + c[0] + "': exit " + r.code() + ", " + r.err());
      assertEquals(Llm.EXIT_USAGE, r.code());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().contains(c[1]), r.err());
      assertEquals("", r.out());
    }
    Result missing = run("score", "--model", dir.resolve("nothing").toString(), "--ids", "1 2");
    assertEquals(Llm.EXIT_USAGE, missing.code());
    assertTrue(missing.err().contains("not a folder"), missing.err());
  }

  @Test
  void upscaleWritesBothFormatsMatchingTheLibraryResult() throws Exception {
    Path base = dir.resolve("base");
    LanguageModel m = LanguageModel.create(tiny(Architecture.LLAMA, 23), SEED);
    m.exportHuggingFace(base);
    LanguageModel expected = m.upscale(1);
    for (String format : new String[] {"checkpoint", "hf"}) {
      Path out = dir.resolve("up-" + format);
      Result r = run("upscale", "--model", base.toString(), "--drop", "1", "--output", out.toString(), "--format", format);
      assertEquals(0, r.code(), r.err());
      assertEquals("layers=4 parameters=" + expected.graph().numParams() + NL, r.out());
      LanguageModel written = LanguageModel.load(out);
      assertEquals(expected.config(), written.config());
      assertTrue(Arrays.equals(expected.graph().params().toFloatVector(), written.graph().params().toFloatVector()),
          format + ": weights bitwise equal to LanguageModel.upscale(1)");
      System.out.print("upscale --format " + format + ": " + r.out());
    }
    Result again = run("upscale", "--model", base.toString(), "--drop", "1", "--output", dir.resolve("up-hf").toString());
    assertEquals(Llm.EXIT_USAGE, again.code());
    assertTrue(again.err().contains("already exists"), again.err());
    Result tooMany = run("upscale", "--model", base.toString(), "--drop", "3", "--output", dir.resolve("x").toString());
    assertEquals(Llm.EXIT_USAGE, tooMany.code());
    assertTrue(tooMany.err().contains("overlap m = 3"), tooMany.err());
  }

  @Test
  void generateStreamsWhatTheLibraryGenerates() throws Exception {
    Tokenizer tok = Tokenizers.load(GPT2_TOKENIZER);
    LanguageModel m = LanguageModel.create(tiny(Architecture.GPT2, tok.vocabSize()), SEED);
    Path model = dir.resolve("gpt2-tiny");
    m.exportHuggingFace(model);
    int eot = tok.endOfTextId();
    String prompt = "The state of the Union";
    for (double temperature : new double[] {0, 0.9}) {
      GenerationConfig g = new GenerationConfig(12, temperature, 50, 0.95, 1.2, new int[] {eot}, 5);
      int[] all = m.generate(tok.encode(prompt), g, null);
      int[] fresh = Arrays.stream(all).skip(tok.encode(prompt).length).filter(t -> t != eot).toArray();
      Result r = run("generate", "--model", model.toString(), "--tokenizer", GPT2_TOKENIZER.toString(),
          "--prompt", prompt, "--max-tokens", "12", "--temperature", String.valueOf(temperature), "--top-k", "50",
          "--top-p", "0.95", "--repetition-penalty", "1.2", "--seed", "5");
      assertEquals(0, r.code(), r.err());
      System.out.println("temperature " + temperature + ": " + fresh.length + " tokens -> " + r.out().strip());
      assertEquals(tok.decode(fresh) + NL, r.out());
    }
  }

  /** A head that always prefers <|endoftext|>: generation stops at once, printing nothing but the newline. */
  @Test
  void generateStopsAtEndOfText() throws Exception {
    Tokenizer tok = Tokenizers.load(GPT2_TOKENIZER);
    LanguageModel m = LanguageModel.create(tiny(Architecture.GPT2, tok.vocabSize()), SEED);
    int eot = tok.endOfTextId();
    alwaysPrefer(m, eot);
    Path model = dir.resolve("eot");
    m.save(model);
    Result r = run("generate", "--model", model.toString(), "--tokenizer", GPT2_TOKENIZER.toString(), "--prompt",
        "Hello", "--max-tokens", "10", "--temperature", "0");
    assertEquals(0, r.code(), r.err());
    assertEquals(NL, r.out());
    int[] out = m.generate(tok.encode("Hello"), GenerationConfig.greedy(10), null);
    assertEquals(eot, out[tok.encode("Hello").length], "the model's greedy choice is <|endoftext|>");
  }

  /** Makes {@code id} the largest logit after any input, for a tiny GPT-2 with tied embeddings. */
  static void alwaysPrefer(LanguageModel m, int id) {
    INDArray wte = m.graph().getLayer("embed").getParam("wte"); // (V, C)
    INDArray row = wte.get(NDArrayIndex.point(id), NDArrayIndex.all());
    row.muli(100);
    // Final norm output = its bias (gain 0) = that token's row: its logit is the largest.
    m.graph().getLayer("head").getParam("normfgain").assign(0);
    m.graph().getLayer("head").getParam("normfbias").assign(row);
  }

  @Test
  void textStreamNeverPrintsHalfACharacter() {
    Tokenizer tok = Tokenizers.gpt2();
    String text = "naïve café, 東京 😀🎉 ok";
    int[] ids = tok.encode(text);
    TextStream stream = new TextStream(tok);
    StringBuilder joined = new StringBuilder();
    int held = 0;
    for (int id : ids) {
      String piece = stream.add(id);
      assertFalse(piece.contains("\uFFFD"), "printed a partial character: " + piece);
      held += piece.isEmpty() ? 1 : 0;
      joined.append(piece);
    }
    joined.append(stream.finish());
    System.out.println(ids.length + " tokens, " + held + " ended inside a character; streamed text: " + joined);
    assertTrue(held > 0, "the emoji split across tokens");
    assertEquals(text, joined.toString());
  }

  @Test
  void everyModelCommandHasHelp() {
    for (String[] c : new String[][] {{"score", "--ids"}, {"upscale", "--drop"}, {"generate", "--top-p"}}) {
      Result r = run(c[0], "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().contains(c[1]) && r.out().contains("--model"), r.out());
    }
  }
}
