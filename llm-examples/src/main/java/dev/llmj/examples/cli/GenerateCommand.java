package dev.llmj.examples.cli;

import dev.llmj.core.generate.GenerationConfig;
import dev.llmj.core.model.LanguageModel;
import dev.llmj.core.run.SampleReview;
import dev.llmj.data.tokenizer.Tokenizer;
import dev.llmj.data.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code llm generate}: one prompt continued on stdout as it is sampled, or many prompts sampled K times
 * each into {@code samples.jsonl} and a {@code review.html} sheet where a person marks each sample good or
 * bad ({@link SampleReview}).
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

  @Override
  public Integer call() throws IOException {
    if (samples < 1) {
      throw new IllegalArgumentException("--samples " + samples + " must be at least 1");
    }
    if (source.prompts != null && output == null) {
      throw new IllegalArgumentException("--prompts needs --output DIR, the folder for " + SampleReview.SAMPLES_FILE
          + " and " + SampleReview.SHEET_FILE);
    }
    if (output != null) {
      SampleReview.checkOutput(output);
    }
    List<SampleReview.Prompt> prompts = source.prompts != null ? SampleReview.readPrompts(source.prompts)
        : List.of(new SampleReview.Prompt(source.prompt, "--prompt"));
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
    if (output == null) {
      stream(SampleReview.encode(prompts.get(0), tok, lm, maxTokens), tok, eot.orElse(-1), lm, settings);
      return 0;
    }
    SampleReview.Result r = SampleReview.write(output, lm, tok, prompts, samples, settings,
        model.path.toAbsolutePath().normalize().toString(), tokenizer.toAbsolutePath().normalize().toString());
    System.err.printf(Locale.ROOT, "%d samples, %d tokens in %.1f s (%.1f tokens/s)%n", r.samples().size(), r.tokens(),
        r.seconds(), r.tokens() / r.seconds());
    System.err.println("samples: " + r.samplesFile().toAbsolutePath());
    System.err.println("review sheet: " + r.sheet().toAbsolutePath());
    return 0;
  }

  private void stream(int[] ids, Tokenizer tok, int stop, LanguageModel lm, GenerationConfig settings) {
    PrintStream out = System.out;
    for (int j = 0; j < samples; j++) {
      long s = SampleReview.sampleSeed(settings.seed(), 0, j);
      if (samples > 1) {
        out.flush();
        System.err.println("sample " + (j + 1) + "/" + samples + " seed " + s);
      }
      TextStream text = new TextStream(tok);
      lm.generate(ids, settings.withSeed(s), id -> {
        if (id != stop) {
          out.print(text.add(id));
          out.flush();
        }
      });
      out.println(text.finish());
    }
  }
}
