package dev.llmj.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.data.ProgressBar;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code llm generate}: one prompt continued on stdout as it is sampled, or many prompts sampled K times
 * each into {@code samples.jsonl} and a {@code review.html} sheet where a person marks each sample good or bad.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Continue a prompt, printing the text to stdout as it is generated; stops at <|endoftext|>."
        + " With --prompts FILE, sample every prompt --samples times into --output DIR: samples.jsonl and"
        + " review.html, a page to mark each sample good or bad and export the marks.",
        "Sample j of prompt i uses seed(i, j) = seed XOR mix64(0x9E3779B97F4A7C15 * (i * 2^32 + j)), recorded"
            + " per sample; seed(0, 0) is the seed itself, so --prompt with a recorded seed repeats that sample.",
        "Example: llm generate --model models/gpt2 --tokenizer models/gpt2 --prompt \"Fellow citizens\""
            + " --max-tokens 60 --temperature 0.8 --top-k 40 --seed 1",
        "Example: llm generate --model runs/sotu --tokenizer runs/sotu/tokenizer.json --prompts prompts.txt"
            + " --samples 4 --temperature 0.8 --seed 1 --output review/sotu"})
final class GenerateCommand implements Callable<Integer> {

  static final String SAMPLES_FILE = "samples.jsonl";
  static final String SHEET_FILE = "review.html";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ModelOption model;

  @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
      description = "tokenizer.json, or a folder with tokenizer.json or encoder.json + vocab.bpe.")
  Path tokenizer;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--prompt", paramLabel = "TEXT",
        description = "Text to continue; an empty prompt starts from <|endoftext|>.")
    String prompt;

    @Option(names = "--prompts", paramLabel = "FILE",
        description = "Prompts to sample for review: one per line, or a .jsonl file with a \"prompt\" field per"
            + " line; blank lines are skipped. Needs --output.")
    Path prompts;
  }

  @Option(names = "--samples", paramLabel = "K", defaultValue = "1",
      description = "Samples per prompt, each with its own seed. Default: ${DEFAULT-VALUE}.")
  int samples;

  @Option(names = "--output", paramLabel = "DIR",
      description = "Folder for samples.jsonl and review.html (required with --prompts; optional with --prompt).")
  Path output;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "100",
      description = "Tokens to generate at most (prompt + N must fit the context). Default: ${DEFAULT-VALUE}.")
  int maxTokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
      description = "Logits are divided by T; 0 is greedy. Default: ${DEFAULT-VALUE}.")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
      description = "Sample among the K most likely tokens; 0 keeps all. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0",
      description = "Sample among the most likely tokens whose probability reaches P; 1 keeps all. Default: ${DEFAULT-VALUE}.")
  double topP;

  @Option(names = "--repetition-penalty", paramLabel = "R", defaultValue = "1.0",
      description = "Penalise tokens already in the text (Hugging Face rule); 1 is off. Default: ${DEFAULT-VALUE}.")
  double repetitionPenalty;

  @Option(names = "--seed", paramLabel = "S", description = "Sampling seed; the same seed gives the same text."
      + " Default: a random seed, printed to stderr.")
  Long seed;

  /** One generated continuation and why it ended. */
  record Sample(int promptIndex, int sampleIndex, long seed, String completion, int tokens, String stop) {}

  @Override
  public Integer call() throws IOException {
    if (samples < 1) {
      throw new IllegalArgumentException("--samples " + samples + " must be at least 1");
    }
    if (source.prompts != null && output == null) {
      throw new IllegalArgumentException("--prompts needs --output DIR, the folder for " + SAMPLES_FILE + " and "
          + SHEET_FILE);
    }
    if (output != null) {
      for (String f : new String[] {SAMPLES_FILE, SHEET_FILE}) {
        if (Files.exists(output.resolve(f))) {
          throw new IllegalArgumentException("--output " + output + " already holds " + f
              + "; give a new folder so no reviewed sheet is overwritten");
        }
      }
    }
    List<PromptFile.Prompt> prompts = source.prompts != null ? PromptFile.read(source.prompts)
        : List.of(new PromptFile.Prompt(source.prompt, "--prompt"));
    long base = seed != null ? seed : new java.util.Random().nextLong();
    if (seed == null) {
      System.err.println("seed " + base);
    }
    Tokenizer tok = Tokenizers.load(tokenizer);
    OptionalInt eot = tok.specialTokenId("<|endoftext|>");
    // Validates the settings before the model loads, so a typo fails at once.
    GenerationConfig settings = new GenerationConfig(maxTokens, temperature, topK, topP, repetitionPenalty,
        eot.stream().toArray(), base);
    LanguageModel lm = model.load();
    List<int[]> encoded = new ArrayList<>();
    for (PromptFile.Prompt p : prompts) {
      encoded.add(encode(p, tok, eot, lm));
    }
    if (output == null) {
      stream(encoded.get(0), tok, eot.orElse(-1), lm, settings);
      return 0;
    }
    writeSheet(prompts, encoded, tok, eot.orElse(-1), lm, settings);
    return 0;
  }

  /**
   * The seed of sample {@code j} of prompt {@code i}: the base seed XOR a scrambled pair index. Seeds of
   * neighbouring samples share no stretch of random stream (as base + i would in SplittableRandom), and
   * sample (0, 0) keeps the base seed, so a single {@code --prompt} run reproduces it.
   */
  static long sampleSeed(long base, int promptIndex, int sampleIndex) {
    long z = (((long) promptIndex << 32) | (sampleIndex & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return base ^ (z ^ (z >>> 31));
  }

  private int[] encode(PromptFile.Prompt p, Tokenizer tok, OptionalInt eot, LanguageModel lm) {
    int[] ids = p.text().isEmpty() ? eot.stream().toArray() : tok.encode(p.text());
    if (ids.length == 0) {
      throw new IllegalArgumentException(p.source() + ": the prompt is empty and the tokenizer has no"
          + " <|endoftext|> to start from");
    }
    for (int id : ids) {
      if (id >= lm.config().vocabSize()) {
        throw new IllegalArgumentException(p.source() + ": the prompt encodes to id " + id + " but the model's"
            + " vocabulary has " + lm.config().vocabSize() + " ids; use the tokenizer the model was trained with");
      }
    }
    int context = lm.config().contextLength();
    if (ids.length + maxTokens > context) {
      throw new IllegalArgumentException(p.source() + ": the prompt is " + ids.length + " tokens; with --max-tokens "
          + maxTokens + " that is " + (ids.length + maxTokens) + ", over the model's context of " + context
          + "; shorten the prompt or lower --max-tokens");
    }
    return ids;
  }

  private void stream(int[] ids, Tokenizer tok, int stop, LanguageModel lm, GenerationConfig settings) {
    PrintStream out = System.out;
    for (int j = 0; j < samples; j++) {
      long s = sampleSeed(settings.seed(), 0, j);
      if (samples > 1) {
        out.flush();
        System.err.println("sample " + (j + 1) + "/" + samples + " seed " + s);
      }
      TextStream text = new TextStream(tok);
      lm.generate(ids, withSeed(settings, s), id -> {
        if (id != stop) {
          out.print(text.add(id));
          out.flush();
        }
      });
      out.println(text.finish());
    }
  }

  private void writeSheet(List<PromptFile.Prompt> prompts, List<int[]> encoded, Tokenizer tok, int stop,
      LanguageModel lm, GenerationConfig settings) throws IOException {
    Files.createDirectories(output);
    ObjectNode settingsJson = JSON.createObjectNode()
        .put("max_tokens", maxTokens).put("temperature", temperature).put("top_k", topK).put("top_p", topP)
        .put("repetition_penalty", repetitionPenalty).put("seed", settings.seed());
    List<Sample> all = new ArrayList<>();
    long total = (long) prompts.size() * samples;
    long start = System.nanoTime();
    long tokens = 0;
    Path jsonl = output.resolve(SAMPLES_FILE);
    try (BufferedWriter w = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8);
        ProgressBar bar = ProgressBar.start("generate", total, ProgressBar.Unit.COUNT)) {
      for (int i = 0; i < prompts.size(); i++) {
        int[] ids = encoded.get(i);
        for (int j = 0; j < samples; j++) {
          long s = sampleSeed(settings.seed(), i, j);
          int[] out = lm.generate(ids, withSeed(settings, s), null);
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
    ReviewSheet.write(sheet, new ReviewSheet.Header(
        model.path.toAbsolutePath().normalize().toString(), tokenizer.toAbsolutePath().normalize().toString(),
        settingsJson),
        prompts.stream().map(PromptFile.Prompt::text).toList(), all, Files.readAllBytes(jsonl));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf(java.util.Locale.ROOT, "%d samples, %d tokens in %.1f s (%.1f tokens/s)%n", all.size(), tokens,
        seconds, tokens / seconds);
    System.err.println("samples: " + jsonl.toAbsolutePath());
    System.err.println("review sheet: " + sheet.toAbsolutePath());
  }

  private static GenerationConfig withSeed(GenerationConfig c, long seed) {
    return new GenerationConfig(c.maxNewTokens(), c.temperature(), c.topK(), c.topP(), c.repetitionPenalty(),
        c.stopTokens(), seed);
  }
}
