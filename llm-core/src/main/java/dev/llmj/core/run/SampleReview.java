package dev.llmj.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.ProgressBar;
import dev.llmj.data.tokenizer.Tokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Many prompts sampled K times each, for a person to review: {@code samples.jsonl} (one line per sample,
 * with its prompt, seed, settings, completion and why it stopped) and {@code review.html}, a self-contained
 * page to mark each sample good or bad and export the marks. Each sample has its own seed,
 * {@link #sampleSeed}, so any one of them can be repeated alone. {@code llm generate --prompts} is this class.
 *
 * <pre>{@code
 * List<SampleReview.Prompt> prompts = SampleReview.readPrompts(Path.of("prompts.txt"));
 * GenerationConfig settings = new GenerationConfig(60, 0.8, 40, 0.95, 1.0, new int[] {eot}, 1L);
 * SampleReview.Result r = SampleReview.write(Path.of("review/sotu"), lm, tok, prompts, 4, settings,
 *     "runs/sotu", "runs/sotu/tokenizer.json");
 * }</pre>
 */
public final class SampleReview {

  /** One line per sample. */
  public static final String SAMPLES_FILE = "samples.jsonl";
  /** The page to mark the samples on. */
  public static final String SHEET_FILE = "review.html";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleReview() {}

  /** One prompt and where it came from (e.g. {@code file:line}), for error messages. */
  public record Prompt(String text, String source) {}

  /** One generated continuation and why it ended: {@code end_of_text} or {@code max_tokens}. */
  public record Sample(int promptIndex, int sampleIndex, long seed, String completion, int tokens, String stop) {}

  /**
   * What was written.
   *
   * @param samplesFile {@code samples.jsonl}
   * @param sheet {@code review.html}
   * @param samples every sample, prompt by prompt, in the file's order
   * @param tokens tokens generated, end-of-text ids included
   * @param seconds wall time of sampling
   */
  public record Result(Path samplesFile, Path sheet, List<Sample> samples, long tokens, double seconds) {
    public Result {
      samples = List.copyOf(samples);
    }
  }

  /**
   * The prompts of a file: a {@code .jsonl} file holds one object with a string {@code "prompt"} per line;
   * any other file one prompt per line, as it is. Blank lines are skipped; errors name the file and line.
   */
  public static List<Prompt> readPrompts(Path file) throws IOException {
    return PromptFile.read(file);
  }

  /**
   * The seed of sample {@code sampleIndex} of prompt {@code promptIndex}: the base seed XOR a scrambled pair
   * index (SplitMix64's finalizer). Seeds of neighbouring samples share no stretch of random stream (as
   * base + i would in SplittableRandom), and sample (0, 0) keeps the base seed, so a single prompt sampled
   * with a recorded seed repeats that sample.
   */
  public static long sampleSeed(long base, int promptIndex, int sampleIndex) {
    long z = (((long) promptIndex << 32) | (sampleIndex & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return base ^ (z ^ (z >>> 31));
  }

  /**
   * The ids {@code lm} continues for {@code prompt}: an empty prompt starts from {@code <|endoftext|>}.
   *
   * @throws IllegalArgumentException naming the prompt's source when an id is outside the model's vocabulary,
   *     or the prompt and {@code maxNewTokens} do not fit the model's context
   */
  public static int[] encode(Prompt prompt, Tokenizer tok, LanguageModel lm, int maxNewTokens) {
    OptionalInt eot = tok.specialTokenId("<|endoftext|>");
    int[] ids = prompt.text().isEmpty() ? eot.stream().toArray() : tok.encode(prompt.text());
    if (ids.length == 0) {
      throw new IllegalArgumentException(prompt.source() + ": the prompt is empty and the tokenizer has no"
          + " <|endoftext|> to start from");
    }
    for (int id : ids) {
      if (id >= lm.config().vocabSize()) {
        throw new IllegalArgumentException(prompt.source() + ": the prompt encodes to id " + id + " but the model's"
            + " vocabulary has " + lm.config().vocabSize() + " ids; use the tokenizer the model was trained with");
      }
    }
    int context = lm.config().contextLength();
    if (ids.length + maxNewTokens > context) {
      throw new IllegalArgumentException(prompt.source() + ": the prompt is " + ids.length + " tokens; with " + maxNewTokens + " new tokens"
          + " that is " + (ids.length + maxNewTokens) + ", over the model's context of " + context
          + "; shorten the prompt or ask for fewer new tokens");
    }
    return ids;
  }

  /** Refuses a folder that already holds a sheet, so no reviewed sheet is overwritten. */
  public static void checkOutput(Path output) {
    for (String f : new String[] {SAMPLES_FILE, SHEET_FILE}) {
      if (Files.exists(output.resolve(f))) {
        throw new IllegalArgumentException("output folder " + output + " already holds " + f
            + "; give a new folder so no reviewed sheet is overwritten");
      }
    }
  }

  /**
   * Samples every prompt {@code samples} times with {@code settings} (sample j of prompt i seeded with
   * {@code sampleSeed(settings.seed(), i, j)}) into {@code output}'s {@code samples.jsonl}, a line flushed
   * per sample so an interrupted run keeps what it made, then writes {@code review.html}. {@code modelName}
   * and {@code tokenizerName} are shown at the top of the page.
   */
  public static Result write(Path output, LanguageModel lm, Tokenizer tok, List<Prompt> prompts, int samples,
      GenerationConfig settings, String modelName, String tokenizerName) throws IOException {
    if (samples < 1) {
      throw new IllegalArgumentException("samples per prompt must be at least 1; got " + samples);
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to sample");
    }
    checkOutput(output);
    List<int[]> encoded = new ArrayList<>();
    for (Prompt p : prompts) {
      encoded.add(encode(p, tok, lm, settings.maxNewTokens()));
    }
    int stop = tok.specialTokenId("<|endoftext|>").orElse(-1);
    Files.createDirectories(output);
    ObjectNode settingsJson = JSON.createObjectNode()
        .put("max_tokens", settings.maxNewTokens()).put("temperature", settings.temperature())
        .put("top_k", settings.topK()).put("top_p", settings.topP())
        .put("repetition_penalty", settings.repetitionPenalty()).put("seed", settings.seed());
    List<Sample> all = new ArrayList<>();
    long start = System.nanoTime();
    long tokens = 0;
    Path jsonl = output.resolve(SAMPLES_FILE);
    try (BufferedWriter w = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
        ProgressBar bar = ProgressBar.start("generate", (long) prompts.size() * samples, ProgressBar.Unit.COUNT)) {
      for (int i = 0; i < prompts.size(); i++) {
        int[] ids = encoded.get(i);
        for (int j = 0; j < samples; j++) {
          long s = sampleSeed(settings.seed(), i, j);
          int[] out = lm.generate(ids, settings.withSeed(s), null);
          int[] fresh = Arrays.copyOfRange(out, ids.length, out.length);
          boolean stopped = fresh.length > 0 && fresh[fresh.length - 1] == stop;
          int[] text = stopped ? Arrays.copyOf(fresh, fresh.length - 1) : fresh;
          Sample sample = new Sample(i, j, s, tok.decode(text), text.length, stopped ? "end_of_text" : "max_tokens");
          all.add(sample);
          tokens += fresh.length;
          ObjectNode line = JSON.createObjectNode().put("prompt_index", i).put("prompt", prompts.get(i).text())
              .put("sample_index", j).put("seed", s);
          line.set("settings", settingsJson);
          line.put("completion", sample.completion()).put("tokens", sample.tokens()).put("stop", sample.stop());
          // One line at a time, flushed: samples of an interrupted run are kept.
          w.write(JSON.writeValueAsString(line));
          w.newLine();
          w.flush();
          bar.update(all.size(), "prompt " + (i + 1) + "/" + prompts.size());
        }
      }
    }
    Path sheet = output.resolve(SHEET_FILE);
    ReviewSheet.write(sheet, new ReviewSheet.Header(modelName, tokenizerName, settingsJson),
        prompts.stream().map(Prompt::text).toList(), all, Files.readAllBytes(jsonl));
    return new Result(jsonl, sheet, all, tokens, (System.nanoTime() - start) / 1e9);
  }
}
